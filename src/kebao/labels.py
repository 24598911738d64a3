"""Words that kebao prints into packs and pages, in Chinese and English (one table, one place)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

Language = Literal["zh", "en"]

LABELS: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "date": ("日期", "Date"),
    "weekday": ("星期", "Day"),
    "slot": ("时段", "Session"),
    "start": ("开始", "Start"),
    "end": ("结束", "End"),
    "module": ("模块编号", "Module id"),
    "title": ("课程模块", "Module"),
    "strand": ("主题", "Strand"),
    "hours": ("学时", "Hours"),
    "credits": ("学分", "Credits"),
    "format": ("形式", "Format"),
    "location": ("地点", "Location"),
    "part": ("部分", "Part"),
    "outcomes": ("学习成果", "Outcomes"),
    "assessment": ("考核方式", "Assessment"),
    "reason": ("编排理由", "Why it is in"),
    "number": ("序号", "No."),
    "name": ("姓名", "Name"),
    "organisation": ("单位", "Organisation"),
    "sign_in": ("签到", "Sign in"),
    "sign_out": ("签退", "Sign out"),
    "remarks": ("备注", "Remarks"),
    "timetable": ("课程表", "Timetable"),
    "attendance": ("签到表", "Attendance sheet"),
    "rubric": ("评价标准", "Rubric"),
    "pre_survey": ("课前问卷", "Pre-course questionnaire"),
    "post_survey": ("课后问卷", "Post-course questionnaire"),
    "criterion": ("评价要点", "Criterion"),
    "excellent": ("优秀", "Excellent"),
    "good": ("良好", "Good"),
    "pass": ("合格", "Pass"),
    "fail": ("不合格", "Not yet"),
    "score": ("得分", "Score"),
    "statement": ("题目", "Statement"),
    "cohort": ("班次", "Cohort"),
    "venue": ("培训地点", "Venue"),
    "size": ("人数", "Participants"),
    "partner": ("合作单位", "Partner"),
    "audience": ("培训对象", "Audience"),
    "handbook": ("学员手册", "Participant handbook"),
    "trainer_guide": ("培训师指南", "Trainer guide"),
    "total": ("合计", "Total"),
    "target": ("目标学时", "Target hours"),
    "section_strands": ("学时分布", "Hours per strand"),
    "section_timetable": ("课程表", "Timetable"),
    "section_coverage": ("学习成果覆盖", "Outcome coverage"),
    "section_modules": ("课程模块", "Modules"),
    "section_cases": ("案例阅读", "Case readings"),
    "section_credits": ("学分记录", "Credit record"),
    "planned": ("计划学时", "Planned hours"),
    "event": ("活动", "Event"),
    # a plan on a year without the State Council's holiday arrangement yet (kebao.holidaydata)
    "provisional": ("暂定", "Provisional"),
    "official": ("正式", "Official"),
    "calendar": ("节假日安排", "Holidays"),
    "provisional_note": ("暂定：{years} 年的节假日调休安排尚未公布，本课表按法定节假日编排；"
                         "国务院办公厅公布放假安排后请重新生成。",
                         "Provisional: the official holiday arrangement for {years} is not published yet; "
                         "this timetable follows the statutory holidays. Rebuild it once the State Council's "
                         "notice is out."),
    # the handbook's and the trainer guide's front matter and sections (kebao.packs.frontmatter, page)
    "contents": ("目录", "Contents"),
    "organiser": ("主办单位", "Organiser"),
    "dates": ("培训时间", "Dates"),
    "cohort_code": ("班次编号", "Cohort code"),
    "people": ("{n} 人", "{n} participants"),
    "section_overview": ("培训概况", "Overview"),
    "section_check_in": ("报到须知", "Check-in"),
    "section_day": ("作息时间", "Daily schedule"),
    "section_contacts": ("联系方式", "Contacts"),
    "section_rules": ("学习纪律与请假制度", "Rules and leave"),
    "section_visits": ("现场教学安排", "Site visits"),
    "section_materials": ("教学材料清单", "Materials checklist"),
    "section_assessment": ("考核与结业", "Assessment and completion"),
    "section_appendix": ("附录", "Appendix"),
    "section_trainer_appendix": ("培训师附录", "Trainer appendix"),
    "check_in_time": ("报到时间", "Check-in time"),
    "check_in_place": ("报到地点", "Check-in place"),
    "bring": ("请携带", "Please bring"),
    "bring_course": ("全程携带", "Bring for the whole course"),
    "handouts": ("本课印发", "Handouts"),
    "prepared": ("培训师准备", "The trainer prepares"),
    "appendix_ref": ("见附录 {n}", "see appendix {n}"),
    "trainer_appendix_ref": ("见培训师附录 {n}", "see trainer appendix {n}"),
    "appendix_title": ("附录 {n}　{title}", "Appendix {n}: {title}"),
    "trainer_appendix_title": ("培训师附录 {n}　{title}", "Trainer appendix {n}: {title}"),
    "rules": ("学习纪律", "Rules"),
    "leave": ("请假制度", "Leave"),
    "role": ("职责", "Role"),
    "phone": ("电话", "Phone"),
    "meet": ("集合", "Meet"),
    "meet_default": ("按课表时间在{venue}集合", "Meet at {venue} at the time on the timetable"),
    "destination": ("目的地", "Destination"),
    "visit_notes": ("注意事项", "Notes"),
    "when": ("时间", "When"),
    "day_note": ("每学时 {minutes} 分钟，课间休息 {pause} 分钟（不计学时）。",
                 "One 学时 is {minutes} minutes, with a {pause}-minute break after each (not counted)."),
    "hours_total": ("共 {hours} 学时，{credits} 学分", "{hours} 学时 in all, {credits} credits"),
    "module_id": ("模块编号", "Module id"),
    "material_kind": ("类别", "Kind"),
    "material": ("材料", "Material"),
    "kind_bring": ("学员自带", "Learners bring"),
    "kind_prepared": ("培训师准备", "Trainer prepares"),
    "kind_handout": ("印发（学员）", "Handout (learners)"),
    "kind_trainer_handout": ("印发（培训师）", "Handout (trainers)"),
    "score_sheet": ("评分表", "Score sheet"),
    "score_note": ("每位学员一行；各模块按其考核方式评分，评价要点见“评价标准”。",
                   "One row per learner; each module is marked as its assessment says (criteria: see the rubric)."),
    "overall": ("总评", "Overall"),
    "completed": ("结业", "Completed"),
    # downloads of pack files on the site (the pack-file table names them: kebao.packs.files)
    "download_zip": ("完整课包 {name}（手册、课表、签到表、评分表、学分记录）",
                     "The whole pack {name} (handbook, timetable, sign-in sheets, rubric, credit record)"),
    "download_handbook_pdf": ("学员手册（PDF）", "Participant handbook (PDF)"),
    "download_trainer_guide_pdf": ("培训师指南（PDF）", "Trainer guide (PDF)"),
    "download_timetable_ics": ("课表日历文件（ICS，可导入日历）", "Timetable for calendars (ICS)"),
    "download_timetable_xlsx": ("课表（Excel）", "Timetable (Excel)"),
}

SLOTS: dict[str, tuple[str, str]] = {
    "morning": ("上午", "Morning"),
    "afternoon": ("下午", "Afternoon"),
    "evening": ("晚上", "Evening"),
}

WEEKDAYS: tuple[tuple[str, str], ...] = (
    ("星期一", "Mon"), ("星期二", "Tue"), ("星期三", "Wed"), ("星期四", "Thu"),
    ("星期五", "Fri"), ("星期六", "Sat"), ("星期日", "Sun"),
)

EVENTS: dict[str, tuple[str, str]] = {  # the kinds of events on a timetable (model.EventKind)
    "check-in": ("报到", "Check-in"),
    "opening": ("开班式", "Opening ceremony"),
    "closing": ("结业式", "Closing ceremony"),
    "travel": ("交通", "Travel"),
    "photo": ("集体合影", "Group photo"),
    "ceremony": ("仪式", "Ceremony"),
    "self-study": ("自主学习", "Self-study"),
    "meal": ("用餐", "Meal"),
    "other": ("活动", "Event"),
}

FORMATS: dict[str, tuple[str, str]] = {
    "lecture": ("专题讲座", "Lecture"),
    "workshop": ("工作坊", "Workshop"),
    "case-study": ("案例教学", "Case study"),
    "site-visit": ("现场教学", "Site visit"),
    "live-stream": ("专家直播", "Live stream"),
    "practicum": ("实操训练", "Practicum"),
    "mentoring": ("导师带教", "Mentoring"),
    "assessment": ("考核评估", "Assessment"),
    "seminar": ("研讨交流", "Seminar"),
}


def label(key: str, language: Language) -> str:
    """The word for ``key`` in ``language``."""
    zh, en = LABELS[key]
    return zh if language == "zh" else en


def pick(pair: tuple[str, str], language: Language) -> str:
    return pair[0] if language == "zh" else pair[1]


def provisional_note(years: Iterable[int], language: Language) -> str:
    """'暂定：2027 年的节假日调休安排尚未公布…' for a plan on years without an official arrangement; '' for none."""
    listed = ("、" if language == "zh" else ", ").join(str(year) for year in sorted(years))
    return label("provisional_note", language).format(years=listed) if listed else ""
