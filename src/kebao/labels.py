"""Words that kebao prints into packs and pages, in Chinese and English (one table, one place)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Language = Literal["zh", "en"]


@dataclass(frozen=True)
class Word:
    """A word in both languages, for a message's parameters (kebao.messages)."""

    zh: str
    en: str

    def in_language(self, language: Language) -> str:
        return self.zh if language == "zh" else self.en

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
    # kebao plan's text (cli/plan.py)
    "plan_cohort": ("班次 {cohort} · {span} · {size} 人 · {venue} · {timezone}",
                    "Cohort {cohort} · {span} · {size} participants · {venue} · {timezone}"),
    "plan_summary": ("计划：{modules} 个模块，共 {hours} 学时（目标 {target}）",
                     "Plan: {modules} modules, {hours} 学时 (target {target})"),
    "plan_note": ("说明：{note}", "note: {note}"),
    "plan_timetable": ("课表（{timezone}）", "Timetable ({timezone})"),
    "plan_self_paced": ("自主学习（不占课时段）", "Self-paced (no session)"),
    "section_self_paced": ("线上自学（自定进度，不占上课时间）", "Self-paced online learning (no class time)"),
    "section_phases": ("培训阶段", "Phases"),
    "credits_total": ("合计（每位学员）", "Total (each learner)"),
    "sheet_self_paced": ("线上自学", "Self-paced"),
    "phase": ("阶段", "Phase"),
    "opens": ("开放", "Opens"),
    "due": ("截止", "Due"),
    "phase_line": ("【{phase}】{first} 至 {last}{where}", "[{phase}] {first} to {last}{where}"),
    "online": ("线上直播", "Online (live)"),
    "on_the_way": ("途中", "On the way"),
    "difference": ("差额", "Difference"),
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
    "survey_note": ("每位学员一行：请按 1（完全不能）到 5（完全能够）为每一项打分",
                    "One row per learner: rate each statement from 1 (not at all) to 5 (fully)"),
    "satisfaction": ("培训满意度测评", "Satisfaction survey"),
    "satisfaction_note": ("不记名。一份问卷一行：请按 1（很不满意）到 5（非常满意）为每一项打分",
                          "Anonymous. One row per form: rate each statement from 1 (very dissatisfied) to 5 "
                          "(very satisfied)"),
    "satisfaction_content": ("课程内容符合工作需要", "The content met the needs of my work"),
    "satisfaction_design": ("课程安排合理，理论联系实际", "The programme was well arranged, theory joined to practice"),
    "satisfaction_trainers": ("培训师讲解清楚、准备充分", "The trainers explained clearly and were well prepared"),
    "satisfaction_interaction": ("培训师注重互动，答疑及时", "The trainers engaged us and answered questions"),
    "satisfaction_organisation": ("培训组织有序，服务周到", "The training was well organised and looked after us"),
    "satisfaction_venue": ("培训场地、食宿等保障到位", "Venue, meals and lodging were good"),
    "satisfaction_overall": ("对本次培训总体满意", "Overall, I am satisfied with this training"),
    "comments": ("意见和建议", "Comments and suggestions"),
    "completed": ("结业", "Completed"),
    # downloads of pack files on the site (the pack-file table names them: kebao.packs.files)
    "download_zip": ("完整课包 {name}（手册、课表、签到表、评分表、满意度测评、学分记录）",
                     "The whole pack {name} (handbook, timetable, sign-in sheets, rubric, satisfaction survey, "
                     "credit record)"),
    "download_handbook_pdf": ("学员手册（PDF）", "Participant handbook (PDF)"),
    "download_trainer_guide_pdf": ("培训师指南（PDF）", "Trainer guide (PDF)"),
    "download_timetable_ics": ("课表日历文件（ICS，可导入日历）", "Timetable for calendars (ICS)"),
    "download_timetable_xlsx": ("课表（Excel）", "Timetable (Excel)"),
    # the site's own words (kebao.sphinxext, kebao.book.programmes)
    "site_show_code": ("显示代码", "Show code"),
    "site_hide_code": ("隐藏代码", "Hide code"),
    "site_downloads": ("下载：{cohort}", "Downloads: {cohort}"),
    "site_no_downloads": ("本项目没有给学员的下载文件。", "This programme has no downloads for participants."),
    "site_trainer_downloads": ("培训师下载：{cohort}", "For trainers: {cohort}"),
    "site_other_cohorts": ("为其他班次生成课包：{command}。", "A pack for another cohort: {command}."),
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

PHASE_MODES: dict[str, tuple[str, str]] = {  # how a phase is delivered (model.PhaseMode)
    "face-to-face": ("面授", "Face-to-face"),
    "live-online": ("线上直播", "Live online"),
    "self-paced": ("线上自主学习", "Self-paced online"),
    "at-work": ("返岗实践", "Back at work"),
}

DAY_KINDS: dict[str, tuple[str, str]] = {  # why a calendar day teaches or not (calendar.DayKind)
    "teaching": ("教学日", "Teaching day"),
    "arrival": ("报到", "Arrival"),
    "departure": ("返程", "Departure"),
    "holiday": ("法定节假日", "Public holiday"),
    "weekend": ("周末", "Weekend"),
    "closed": ("场地休息", "Venue closed"),
}

HOLIDAYS: dict[str, tuple[str, str]] = {  # the statutory holidays, by the name chinese_calendar gives them
    "New Year's Day": ("元旦", "New Year's Day"),
    "Spring Festival": ("春节", "Spring Festival"),
    "Tomb-sweeping Day": ("清明节", "Qingming Festival"),
    "Labour Day": ("劳动节", "Labour Day"),
    "Dragon Boat Festival": ("端午节", "Dragon Boat Festival"),
    "National Day": ("国庆节", "National Day"),
    "Mid-autumn Festival": ("中秋节", "Mid-Autumn Festival"),
    "Anti-Fascist 70th Day": ("抗战胜利纪念日", "Victory Day"),
}

REASON_KINDS: dict[str, tuple[str, str]] = {  # why a module is in a plan, in a word (plan.ReasonKind)
    "site-visit": ("现场教学", "Site visit"),
    "placed": ("指定安排", "Placed"),
    "required": ("必修", "Required"),
    "extra": ("班次追加", "Added by the cohort"),
    "prerequisite": ("先修", "Prerequisite"),
    "chosen": ("按配比选入", "Chosen for the mix"),
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


# A placement's weekday (model.Weekday) as words.
WEEKDAY_WORDS: dict[str, Word] = {key: Word(*pair) for key, pair in zip(
    ("mon", "tue", "wed", "thu", "fri", "sat", "sun"), WEEKDAYS, strict=True)}
