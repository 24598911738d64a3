# size: one table of every sentence kebao says (MESSAGES), in Chinese and English, so that none hides elsewhere.
"""Sentences kebao says — about a plan (reasons, notes, errors, advice), the studio's suggestions and content
problems — as codes with typed parameters.

The engine (compose, schedule, the layout) makes :class:`Message` values: a code and its parameters (ids,
numbers, dates, :class:`~kebao.model.Title` names, nested messages, lists of them). Nothing stores or parses
a sentence. :meth:`Message.render` writes one in Chinese or English from :data:`MESSAGES`; advice that the
command line can act on gets the flag to type (``context="cli"``), while the studio and the site leave it out
and may offer a button instead (the studio reads the code and its parameters). Words (column titles, slot and
format names) are in :mod:`kebao.labels`; together they are the labels catalogue.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .labels import Language

Context = Literal["cli", "studio", "site"]


@dataclass(frozen=True)
class Message:
    """One thing kebao says: a code from :data:`MESSAGES` and its parameters."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    def __getitem__(self, name: str) -> Any:
        return dict(self.params)[name]

    def get(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)

    def render(self, language: Language, context: Context = "cli") -> str:
        """The sentence in ``language``; on the command line with the flags that act on it."""
        zh, en = MESSAGES[self.code]
        texts = {name: _text(value, language, context) for name, value in self.params}
        sentence = (zh if language == "zh" else en).format_map(_Missing(texts))
        flag = CLI_FLAGS.get(self.code)
        if flag is not None and context == "cli":
            sentence += (flag[0] if language == "zh" else flag[1]).format_map(_Missing(texts))
        return sentence

    def to_json(self, language: Language) -> dict[str, Any]:
        """``{code, params, text}``: the code and its parameters for tools, the sentence for people."""
        return {"code": self.code, "params": {name: _json(value) for name, value in self.params},
                "text": self.render(language)}


def say(code: str, **params: Any) -> Message:
    """A :class:`Message`; the code must be in :data:`MESSAGES` (a typo fails at once, not when shown)."""
    if code not in MESSAGES:
        raise KeyError(f"no message '{code}' in kebao.messages.MESSAGES")
    return Message(code, tuple([(name, _frozen(value)) for name, value in params.items()]))


def either(advice: Sequence[Message], language: Language, context: Context = "cli") -> str:
    """'a, b or c' (zh: 'a、b或c') of the advice, rendered."""
    items = [message.render(language, context) for message in advice]
    if len(items) < 2:
        return "".join(items)
    if language == "zh":
        return "；".join(items[:-1]) + "；或" + items[-1]
    return ", ".join(items[:-1]) + " or " + items[-1]


def fields(code: str) -> set[str]:
    """The parameter names a message's sentences use (for tests and the studio's buttons)."""
    found: set[str] = set()
    for template in (*MESSAGES[code], *CLI_FLAGS.get(code, ())):
        found.update(name for _, name, _, _ in string.Formatter().parse(template) if name)
    return found


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:  # an optional part left out
        return ""


def _frozen(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def _text(value: Any, language: Language, context: Context) -> str:
    if isinstance(value, Message):
        return value.render(language, context)
    if isinstance(value, tuple):
        parts = [_text(v, language, context) for v in value]
        return ("、" if language == "zh" else ", ").join(parts)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}"
    in_language = getattr(value, "in_language", None)
    if callable(in_language):
        return str(in_language(language))
    return str(value)


def _json(value: Any) -> Any:
    if isinstance(value, Message):
        return {"code": value.code, "params": {name: _json(v) for name, v in value.params}}
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# code: (zh, en). Parameters in braces; a nested message or a list renders in the same language.
MESSAGES: dict[str, tuple[str, str]] = {
    # -- why a module is in the plan --------------------------------------------------------------------
    "reason-site-visit": ("现场教学，安排在{day}", "site visit on {day}"),
    "reason-in-phase": ("安排在{phase}阶段", "in the {phase} phase"),
    "reason-in-group": ("{split}：{group}", "{split}: {group}"),
    "reason-placed": ("按指定安排（{where}）", "placed as the programme says ({where})"),
    "reason-required": ("必修", "required"),
    "reason-extra": ("班次{cohort}追加", "added by cohort {cohort}"),
    "reason-prerequisite": ("{module} 的先修模块", "prerequisite of {module}"),
    "reason-also-prerequisite": ("{reason}，也是 {modules} 的先修模块", "{reason}, also prerequisite of {modules}"),
    "reason-chosen": ("按主题学时比例选入：{strand}还差 {lacked} 学时，{candidates} 个适合该对象的候选模块中，{basis}",
                      "chosen for strand {strand}: it still lacked {lacked} 学时; of {candidates} candidate(s) "
                      "that suit the audience, {basis}"),
    "basis-closest": ("本模块 {hours} 学时最接近所差学时", "its {hours} 学时 came closest to what was lacking"),
    "basis-tie": ("本模块与 {others} 同样接近，按编号顺序在前", "it was as close as {others} and comes first by id"),
    "basis-only": ("只有本模块合适", "it was the only one that fitted"),
    "day-first": ("第一个教学日", "the first teaching day"),
    "day-last": ("最后一个教学日", "the last teaching day"),
    "day-number": ("第 {day} 个教学日", "teaching day {day}"),
    "after-module": ("排在 {module} 之后", "after {module}"),
    # -- how a programme's days run -----------------------------------------------------------------------
    "span-block": ("{start} 起 {days} 天", "{days} days from {start}"),
    "span-rhythm": ("{start} 起{every}{weekdays}{sessions}，共 {days} 次", "{days} meetings from {start}, "
                    "{every} on {weekdays}{sessions}"),
    "span-sessions": ("（{sessions}）", " ({sessions})"),
    "span-dates": ("{dates}，共 {days} 天", "{days} days: {dates}"),
    "every-week": ("每周", "every week"),
    "every-fortnight": ("每两周", "every other week"),
    # -- notes on a plan ------------------------------------------------------------------------------------
    "note-strand-over": ("{strand}比目标多 {over} 学时：必修、现场教学、追加模块及其先修共 {fixed} 学时，为平衡其他主题"
                         "选入的模块又有 {balance} 学时",
                         "strand {strand} is {over} 学时 over its target: fixed modules (required, site visits, "
                         "extra, prerequisites) take {fixed} and modules chosen to balance other strands bring "
                         "{balance}"),
    "note-strand-under": ("{strand}比目标少 {under} 学时：{why}", "strand {strand} is {under} 学时 under its target: {why}"),
    "why-no-more-modules": ("该主题没有更多可选模块", "no more modules of this strand are available"),
    "why-worse": ("加入 {modules} 会加大总偏差（超出目标，或其先修属于其他主题）",
                  "adding {modules} would increase the total error (overshoot, or prerequisites in other strands)"),
    "why-over-capacity": ("加入 {modules} 会超过日程能容纳的 {capacity} 学时",
                          "adding {modules} would exceed the {capacity} 学时 the schedule holds"),
    "why-not-whole": ("{modules} 无法整块放进 {room}{more}", "adding {modules} would not fit whole into {room}{more}"),
    "why-more-to-take": ("（{advice}即可排入 {module}）", " ({advice} to take {module})"),
    "note-split-strands": ("{split}各组的主题学时不同，上表按{first}计：{groups}",
                           "the groups of {split} differ in strand hours; the table counts {first}: {groups}"),
    "group-strands": ("{group} {strands}", "{group} {strands}"),
    "strand-hours": ("{strand} {hours}", "{strand} {hours}"),
    "note-total": ("计划 {planned} 学时，目标 {target} 学时：{why}", "planned {planned} of the {target} 学时 targeted: {why}"),
    "why-closest-fit": ("这是现有模块学时能做到的与各主题目标最接近的安排",
                        "the closest fit to each strand's target that these module sizes allow"),
    "note-split": ("模块 {module}（{hours} 学时）分为 {parts} 段（{where}）：{why}",
                   "module '{module}' ({hours} 学时) is split into {parts} parts ({where}): {why}"),
    "split-at": ("{date} {slot} {hours}", "{date} {slot} {hours}"),
    "why-split-cut": ("在先修、现场教学和结业类模块的顺序下，没有空余时段能整块容纳它；增加天数可保持每个模块完整",
                      "no free session holds it whole once prerequisites, site visits and closing modules are in "
                      "order; more days keep every module whole"),
    "why-split-uneven": ("其他模块旁剩余的时段比它的均分段短", "the sessions left beside the other modules are shorter than "
                         "its even parts"),
    "note-closing-early": ("结业类模块 {module} 排在 {modules} 之前：这些天无法把它排在最后",
                           "closing module '{module}' comes before {modules}: the days hold the modules in no order "
                           "that leaves it last"),
    "room": ("{days} 个教学日的空余时段（每天 {per_day} 学时，每段 {per_session} 学时）",
             "the free sessions of {days} teaching day(s) ({per_day} 学时 a day, {per_session} a session)"),
    # -- why a plan cannot be made --------------------------------------------------------------------------
    "error-needs-more-hours": ("项目 {programme} 需要 {needed} 学时，但自 {start} 起的 {days} 天最多容纳 {capacity} 学时"
                               "（{teaching} 个教学日，每天最多 {per_day} 学时）",
                               "programme '{programme}' needs {needed} 学时 but its {days} day(s) from {start} hold "
                               "at most {capacity} ({teaching} teaching day(s), {per_day} 学时 a day at most)"),
    "error-split-hours": ("项目 {programme} 的分组 {split} 各组学时不同（{hours}）：每位学员只在一个组",
                          "programme '{programme}': the groups of split '{split}' differ in 学时 ({hours}); each "
                          "learner is in one group"),
    "error-fixed-too-many": ("项目 {programme} 的必修、现场教学、追加模块及其先修共 {fixed} 学时，超过项目的 {target} 学时",
                             "programme '{programme}': required modules, site visits, extra modules and their "
                             "prerequisites take {fixed} 学时, more than the {target} 学时 of the programme"),
    "error-fixed-not-whole": ("项目 {programme} 的必修、追加模块及其先修（{count} 个模块，{hours} 学时）无法整块放进 {room}；"
                              "只有比一个时段还长的模块才会拆分",
                              "programme '{programme}': the required modules, extra modules and their prerequisites "
                              "({count} modules, {hours} 学时) do not fit whole into {room}; a module is split only "
                              "when it is longer than a session"),
    "error-evenings-full": ("项目 {programme} 的晚间活动 {modules} 无法整块放进 {nights} 个晚上（每晚最多 {most} 学时）",
                            "programme '{programme}': the evening activities {modules} do not fit whole into its "
                            "{nights} evening session(s) (at most {most} 学时 an evening)"),
    "error-fixed-barred": ("{kind}模块 {module} {why}", "{kind} module '{module}' is {why}"),
    "error-prerequisite-barred": ("模块 {module} 是 {dependent}（{kind}模块）的先修，但{why}",
                                  "module '{module}' is a prerequisite of '{dependent}' ({kind} module) but is {why}"),
    "error-mix-short": ("项目 {programme} 达不到主题配比：{shortfalls}", "programme '{programme}' cannot meet its "
                        "strand mix: {shortfalls}"),
    "shortfall": ("{strand}差 {missing} 学时（目标 {target} = {weight}% × {total}；必修模块和可选来源最多提供 {supply}）",
                  "strand {strand} is short by {missing} 学时 (target {target} = {weight}% of {total}; required "
                  "modules and pools offer at most {supply})"),
    "error-unknown-in-cohort": ("班次 {cohort} 的 {field} 中有未知的{kind} {value}", "cohort '{cohort}' {field} names "
                                "unknown {kind} '{value}'"),
    "error-phase-too-full": ("项目 {programme} 的阶段 {phases} 列出的模块需要 {needed} 学时，但它的 {days} 个教学日最多容纳 "
                             "{held} 学时",
                             "programme '{programme}': the modules phase {phases} lists need {needed} 学时, but its "
                             "{days} teaching day(s) hold at most {held}"),
    "error-open-phases-too-full": ("项目 {programme} 中未列入任何阶段的模块需要 {needed} 学时，但不列模块的阶段 {phases} 的 "
                                   "{days} 个教学日最多容纳 {held} 学时",
                                   "programme '{programme}': the modules no phase lists need {needed} 学时, but the "
                                   "phases listing none ({phases}) hold at most {held} in {days} teaching day(s)"),
    "advice-phase-days": ("给这个阶段更多天数（phases[].days）", "give the phase more days (phases[].days)"),
    "advice-open-phase": ("加一个不列模块的面授阶段来容纳其余模块", "add a face-to-face phase that lists no modules, "
                          "to take the rest"),
    "advice-phase-move": ("把一些模块移到有空余的阶段（phases[].modules），或减少模块", "move modules to a phase with "
                          "room (phases[].modules), or list fewer"),
    "error-plan-too-big": ("课表放不下这个计划：多出 {left} 学时（计划 {planned} 学时；{teaching} 个教学日最多容纳 {capacity}）"
                           "{waiting}",
                           "the plan does not fit its teaching days: {left} 学时 are left over (the plan has {planned} "
                           "学时; {teaching} teaching day(s) hold at most {capacity}){waiting}"),
    "waiting-for-visit": ("；{modules} 必须排在现场教学之后", "; {modules} must follow a site visit"),
    "error-visit-prerequisite-late": ("现场教学 {module} 的先修 {modules} 无法排在它之前（{date}）",
                                      "prerequisite(s) {modules} of site visit '{module}' do not fit before it ({date})"),
    "error-plan-lacks-visit": ("计划缺少项目 {programme} 的现场教学 {modules}", "the plan lacks site visit(s) {modules} of "
                               "programme '{programme}'"),
    "error-rhythm-unheld": ("自 {start} 起三年内，每逢{weekdays}只能上 {held} 次课，不足 {meetings} 次",
                            "from {start}, {weekdays} meetings hold only {held} of {meetings} within three years"),
    "error-no-teaching-day": ("项目 {programme} 自 {start} 起的 {days} 天里没有教学日（{off}）",
                              "programme '{programme}' has no teaching day in {days} day(s) from {start} ({off})"),
    "error-too-few-days-for": ("项目 {programme} 把 {module} 安排在第 {day} 个教学日，但只有 {teaching} 个教学日",
                               "programme '{programme}' places '{module}' on teaching day {day}, but there are only "
                               "{teaching} teaching day(s)"),
    "error-event-no-session": ("项目 {programme} 的活动 {event} 在{slot}，但本项目没有这个时段",
                               "programme '{programme}': event '{event}' is in the {slot} session, which this "
                               "programme does not have"),
    "error-event-cuts": ("项目 {programme} 的活动 {event} 在 {time} 会把 {date} {slot}的课分成两半",
                         "programme '{programme}': event '{event}' at {time} would cut the {slot} session of {date} in "
                         "two"),
    "error-events-fill": ("项目 {programme} 的活动占满了 {date} 的{slot}", "programme '{programme}': the events fill "
                          "the {slot} session of {date}"),
    "error-event-too-long": ("项目 {programme} 的活动 {event}（{minutes} 分钟）在 {date} 放不下",
                             "programme '{programme}': event '{event}' ({minutes} minutes) does not fit in {date}"),
    "error-no-arrival-day": ("项目 {programme} 的活动 {event} 在报到日，但项目没有报到日",
                             "programme '{programme}': event '{event}' is on the arrival day, but the programme has "
                             "none"),
    "error-event-day": ("项目 {programme} 的活动 {event} 在第 {day} 个教学日，但只有 {teaching} 个教学日",
                        "programme '{programme}': event '{event}' is on teaching day {day}, but there are only "
                        "{teaching} teaching day(s)"),
    "error-pin-date": ("项目 {programme} 把模块 {module} 固定在 {date}，但这一天不是本班次的教学日",
                       "programme '{programme}': module '{module}' is pinned to {date}, which is not a teaching day "
                       "of this cohort"),
    "error-pin-weekday": ("项目 {programme} 把模块 {module} 固定在{weekday}，但没有这样的教学日",
                          "programme '{programme}': module '{module}' is pinned to a {weekday}, but no teaching day "
                          "is one"),
    "error-pin-slot": ("项目 {programme} 把模块 {module} 固定在{slot}，但它不能排在这个时段",
                       "programme '{programme}': module '{module}' is pinned to the {slot} session, which it cannot "
                       "take"),
    "error-pin-time": ("项目 {programme} 的模块 {module} 不能在 {time} 开始：该时段的学时从 {starts}… 开始",
                       "programme '{programme}': module '{module}' cannot start at {time}: a 学时 in that session "
                       "starts at {starts}…"),
    "error-pin-no-session": ("项目 {programme} 把模块 {module} 固定在 {time}，这个时间不在它能用的时段内",
                             "programme '{programme}': module '{module}' is pinned to {time}, which is in no session "
                             "it can take"),
    "error-both-want": ("{module} 和 {other} 都要占用第 {day} 个教学日（{date}）",
                        "'{module}' and '{other}' both want teaching day {day} ({date})"),
    "error-site-visit-too-long": ("现场教学 {module} 需要 {hours} 学时，但{length}对 {audience} 最多容纳 {most}",
                                  "site visit '{module}' takes {hours} 学时 but {length} holds at most {most} for "
                                  "audience '{audience}'"),
    "error-pinned-too-long": ("模块 {module} 需要 {hours} 学时，但 {length} 对 {audience} 最多容纳 {most}",
                              "module '{module}' takes {hours} 学时 but {length} holds at most {most} for audience "
                              "'{audience}'"),
    "length-whole-day": ("一整天", "a whole day"),
    "length-half-day": ("半天", "a half day"),
    "length-teaching-day": ("第 {day} 个教学日（{date}）", "teaching day {day} ({date})"),
    "error-session-order": ("项目 {programme} 的 session_starts.{slot}（{time}）不晚于 {previous}（{before}）",
                            "programme '{programme}': session_starts.{slot} ({time}) is not after {previous} "
                            "({before})"),
    "error-session-no-room": ("项目 {programme} 的{slot}在 {end} 之前没有上课的时间", "programme '{programme}': the "
                              "{slot} session has no room before {end}"),
    "error-provisional": ("{years} 年的节假日安排尚未正式公布：chinesecalendar {version} 覆盖 {first}–{last} 年，{file}，"
                          "因此计划是暂定的，调休补班日还不知道",
                          "the holiday arrangement for {years} is not official yet: chinesecalendar {version} covers "
                          "{first}–{last} and {file}, so the plan is provisional (暂定) and the 调休 working weekends are "
                          "not known"),
    "holidays-file-missing": ("没有 {file}", "there is no {file}"),
    "holidays-file-lacks": ("{file} 没有列出 {years} 年", "{file} does not list {years}"),
    "error-no-holiday-data": ("节假日日历（chinesecalendar {version}）没有 {year} 年的数据，无法安排 {date}",
                              "the holiday calendar (chinesecalendar {version}) has no data for {year}, so {date} "
                              "cannot be scheduled"),
    "error-no-holiday-data-late": ("节假日日历（chinesecalendar {version}）没有 {year} 年的数据，法定节假日也只知道到 {end} 年，"
                                   "无法安排 {date}",
                                   "the holiday calendar (chinesecalendar {version}) has no data for {year}, and the "
                                   "statutory holidays are known up to {end} only, so {date} cannot be scheduled"),
    # -- why a module cannot be in a plan (inside errors) -----------------------------------------------------
    "barred-excluded": ("被班次 {cohort} 排除", "excluded by cohort '{cohort}'"),
    "barred-audience": ("面向 {audiences}，不适合 {audience}", "meant for audience(s) {audiences}, not '{audience}'"),
    "barred-visit-not-placed": ("是现场教学，但项目没有把它安排在某一天（site_visits）",
                                "a site visit that the programme does not place on a day (site_visits)"),
    "barred-evening": ("是晚间活动，但项目没有晚上时段（对象 {audience}）",
                       "an evening activity, but the programme has no evening sessions (audience '{audience}')"),
    "kind-site-visit": ("现场教学", "site-visit"),
    "kind-placed": ("指定安排的", "placed"),
    "kind-required": ("必修", "required"),
    "kind-extra": ("追加", "extra"),
    # -- what would help (advice; the command line adds the flag) -------------------------------------------
    "advice-more-days": ("把天数增加到共 {days} 天", "add days: {days} in all"),
    "advice-more-days-programme": ("把天数增加到共 {days} 天", "add days: {days} in all"),
    "advice-some-days": ("增加天数", "add days"),
    "advice-weekends": ("按对象 {audience} 的允许在周末上课", "teach at weekends as audience '{audience}' allows"),
    "advice-evenings": ("按对象 {audience} 的允许在晚上上课", "teach in the evenings as audience '{audience}' allows"),
    "advice-other-start": ("选一个避开 {holidays} 的开班日期", "choose a start date away from {holidays}"),
    "advice-other-start-plain": ("选择其他开班日期", "choose another start date"),
    "advice-lower-total": ("把项目的总学时降到 {hours} 或更少", "lower total_hours in the programme to {hours} or less"),
    "advice-lower-total-plain": ("降低项目的总学时", "lower total_hours in the programme"),
    "advice-raise-total": ("提高项目的总学时（这些天最多容纳 {capacity}）", "raise total_hours in the programme (the days "
                           "hold {capacity})"),
    "advice-fewer-fixed": ("减少必修模块（必修、现场教学或班次追加）", "require fewer modules (required, site_visits, or "
                           "the cohort's extra)"),
    "advice-write-modules": ("目录里已没有适合对象 {audience} 的{strand}模块（可选来源已用上全部 {taken} 个{aside}）：请编写新模块",
                             "the catalogue has no more modules of strand {strand} for audience '{audience}' (the "
                             "pools already take all {taken}{aside}): write new ones"),
    "aside-others": ("，另有 {others} 个面向其他对象或被排除", "; {others} more are for other audiences or excluded"),
    "advice-list-electives": ("把选修模块 {modules} 列入可选来源", "list elective modules in a pool: {modules}"),
    "advice-widen-formats": ("放宽{strand}可选来源的形式限制，或编写新模块", "widen the formats of the pool for strand "
                             "{strand}, or write new modules"),
    "advice-add-pool": ("把{strand}的模块加入可选来源", "add modules of strand {strand} to a pool"),
    "advice-lower-weight": ("降低{strand}的比例", "lower the weight of {strand}"),
    "advice-fewer-days": ("减少天数", "plan fewer days"),
    "advice-unexclude": ("把它从班次的排除列表（或项目的{place}）中去掉", "remove it from the cohort's exclude, or from the "
                         "programme's {place}"),
    "advice-unexclude-prerequisite": ("把它从班次的排除列表中去掉，或不要 {module}", "remove it from the cohort's exclude, "
                                      "or drop '{module}'"),
    "advice-write-handout": ("在 {file} 中用 Markdown 写出讲义（先写一行“# 标题”，再写正文）；如果课程包不必打印它，就去掉 handout",
                             "write it as Markdown in {file} (a '# title' line, then the page), or remove 'handout' "
                             "if the pack need not print it"),
    "advice-split-hours": ("让各组的学时相同（调整模块，或给学时少的组加一个模块）",
                           "give every group the same 学时 (change modules, or add one to the shorter groups)"),
    "advice-did-you-mean": ("是不是 {options}？", "did you mean {options}?"),
    "advice-compose-first": ("先用 kebao.compose.compose 编排计划", "compose the plan with kebao.compose.compose"),
    "advice-place-elsewhere": ("把其中一个安排到另一天", "place one of them on another day"),
    "advice-earlier-day": ("安排在更早的教学日", "place it on an earlier day"),
    "advice-shorten-visit": ("缩短现场教学的学时{whole}", "shorten the visit's hours{whole}"),
    "advice-or-whole-day": ("，或改为全天现场教学", " or make it a whole-day visit"),
    "advice-shorten-or-move": ("缩短它，或固定到另一天或时间", "shorten it, or pin it to another day or time"),
    "advice-session-times": ("按上午、下午、晚上的顺序写开始时间", "give the morning, afternoon and evening start times in order"),
    "advice-sessions-apart": ("拉开各时段的时间", "move the session times apart"),
    "advice-allow-evenings": ("允许晚上上课，或换一个时段", "allow evenings, or choose another session"),
    "advice-event-at-edge": ("把开始时间改为 {start}（该时段开始）或在 {end} 结束，或不写时间",
                             "start it at {start} (the session's start) or end it at {end}, or leave out its time"),
    "advice-move-event": ("把某个活动移到另一个时段或另一天", "move an event to another session or day"),
    "advice-shorten-event": ("缩短它或提前开始", "shorten it or start it earlier"),
    "advice-arrival": ("设置 travel: {{arrival: true}}，或把活动放在 day: first", "add travel: {{arrival: true}}, or put the "
                       "event on day: first"),
    "advice-pin-teaching-day": ("固定到一个教学日，或改变班次开班日期", "pin it to a teaching day, or change the cohort's start"),
    "advice-pin-other-weekday": ("固定到另一个星期几，或增加天数", "pin it to another weekday, or add days"),
    "advice-pin-slot": ("晚间活动放在晚上，其他模块放在白天的时段", "an evening activity takes the evening, any other module a "
                        "daytime session"),
    "advice-pin-times": ("固定在这些时间之一", "pin it to one of those times"),
    "advice-pin-inside": ("选一个在时段内的时间（见项目的 day）", "choose a time inside a session (see the programme's day)"),
    "advice-shorten-evening": ("缩短某个晚间活动，或去掉一个", "shorten an evening activity, or leave one out"),
    "advice-copy-notice": ("把国务院办公厅关于{year}年部分节假日安排的通知抄入 {file}（见 docs/content.md），或在 "
                           "chinesecalendar 覆盖 {years} 年后升级它",
                           "copy the State Council's notice (国务院办公厅关于{year}年部分节假日安排的通知) into {file} "
                           "(docs/content.md), or upgrade chinesecalendar once it covers {years}"),
    "advice-add-holiday-year": ("把 {year} 年的正式放假安排（国务院办公厅通知）加入 {file}（见 docs/content.md）",
                                "add {year}'s official holiday arrangement (国务院办公厅 notice) to {file} "
                                "(docs/content.md)"),
    "advice-start-from": ("选择 {first}-01-01 以后的开班日期（已覆盖 {first}–{last} 年）",
                          "choose a start date from {first}-01-01 on (covered: {first}–{last})"),
    "advice-end-by": ("选择在 {end}-12-31 之前结束的开班日期（正式数据 {first}–{last} 年，之后的年份按法定节假日暂定）",
                      "choose a start date that ends by {end}-12-31 (official data {first}–{last}, later years "
                      "provisional from the statutory holidays)"),
    "advice-rhythm-weekdays": ("选择能上课的星期几（不允许周末上课时不要选周六、周日），或减少次数",
                               "choose weekdays that can teach (no Saturday or Sunday without weekends), or fewer "
                               "meetings"),
    "advice-plan-fewer": ("减少计划学时（降低项目的总学时）", "plan fewer 学时 (lower total_hours in the programme)"),
    # -- the studio's suggestions: one change each, tried before it is offered (kebao.studio.suggest) -----------
    "fix-weight": ("把{strand}的比例调到 {weight}%（其他主题按原比例分配其余部分）",
                   "set {strand} to {weight}% (the others share the rest as before)"),
    "fix-mix": ("按现有模块把配比调为 {mix}", "use the mix the modules allow: {mix}"),
    "mix-part": ("{strand} {weight}%", "{strand} {weight}%"),
    "fix-add-pool": ("把{strand}的全部模块加入选修来源", "add all modules of strand {strand} to the pools"),
    "fix-list-electives": ("把选修模块 {modules} 列入选修来源", "list the elective modules {modules} in the pools"),
    "fix-days": ("把天数改为 {days} 天", "make it {days} days"),
    "fix-total": ("把总学时改为 {hours}", "set the total to {hours} 学时"),
    "fix-weekends": ("允许周末上课", "teach at weekends"),
    "fix-evenings": ("允许晚上上课", "teach in the evenings"),
    "fix-start": ("把开班日期改为 {start}", "start on {start}"),
    "nearest-what-fits": ("下面是按现有模块能排出的最接近的计划，图中红色虚线标出各主题的差额。",
                          "Below is the nearest plan the modules allow; red dashes on the chart mark each "
                          "strand's shortfall."),
    "nearest-after-fix": ("下面是按第一条建议（{fix}）修改后的计划。", "Below is the plan with the first suggestion "
                                                                     "({fix})."),
    "nearest-none": ("附近没有找到能编排的设置，请按上面的建议修改。", "No nearby setting plans; change the programme as "
                                                                   "advised above."),
    # -- content problems (kebao validate, the studio) --
    # kebao validate prints the English (for pydantic's own checks, problem-at-least and the like, it prints
    # pydantic's wording, which these follow); the studio shows the Chinese, which names no YAML syntax where a
    # designer edits the field in the studio.
    "problem-missing": ("缺少必填项 {field}", "missing required field '{field}'"),
    "problem-unknown-field": ("没有“{field}”这一项", "unknown field '{field}'"),
    "problem-got": ("，现在是“{value}”", ", got '{value}'"),
    "problem-not-whole-number": ("应为整数{got}", "Input should be a valid integer{got}"),
    "problem-fraction": ("应为整数，不能带小数", "Input should be a valid integer, got a number with a fractional part"),
    "problem-not-number": ("应为数字{got}", "Input should be a valid number{got}"),
    "problem-not-finite": ("应为有限的数字", "Input should be a finite number"),
    "problem-at-least": ("不能小于 {ge}", "Input should be greater than or equal to {ge}"),
    "problem-above": ("应大于 {gt}", "Input should be greater than {gt}"),
    "problem-at-most": ("不能大于 {le}", "Input should be less than or equal to {le}"),
    "problem-below": ("应小于 {lt}", "Input should be less than {lt}"),
    "problem-multiple-of": ("应为 {multiple_of} 的整数倍", "Input should be a multiple of {multiple_of}"),
    "problem-text-too-short": ("不能为空，至少 {min_length} 个字", "String should have at least {min_length} character(s)"),
    "problem-text-too-long": ("最多 {max_length} 个字", "String should have at most {max_length} character(s)"),
    "problem-too-few": ("至少要有 {min_length} 项，现在有 {actual_length} 项",
                        "should have at least {min_length} item(s), not {actual_length}"),
    "problem-too-many": ("最多 {max_length} 项，现在有 {actual_length} 项",
                         "should have at most {max_length} item(s), not {actual_length}"),
    "problem-pattern": ("格式不对，应符合 {pattern}", "String should match pattern '{pattern}'"),
    "problem-one-of": ("应为 {allowed} 之一", "Input should be one of {allowed}"),
    "problem-not-date": ("应为真实的日期{got}", "Input should be a valid date{got}"),
    "problem-not-bool": ("应为“是”或“否”{got}", "Input should be a valid boolean{got}"),
    "problem-not-text": ("应为文字{got}", "Input should be a valid string{got}"),
    "problem-not-list": ("应为一组（列表）{got}", "Input should be a valid list{got}"),
    "problem-not-mapping": ("应为若干“名称: 值”{got}", "Input should be a valid dictionary{got}"),
    "problem-bad-id": ("“{value}”不能用作编号：{why}", "'{value}' is not a valid id: {why}"),
    "id-empty": ("编号不能为空", "an id cannot be empty"),
    "id-too-long": ("编号最多 {most} 个字符", "an id is at most {most} characters"),
    "id-not-slug": ("编号只能用小写英文字母、数字和单个连字符（例如 party-history-1）",
                    "an id uses only lowercase ASCII letters, digits and single hyphens between them "
                    "(e.g. 'party-history-1')"),
    "id-reserved": ("“{value}”是 Windows 的保留文件名", "'{value}' is a reserved file name on Windows"),
    "rule-colour": ("“{value}”不是颜色：按 #RRGGBB 写，例如 #B71C1C", "'{value}' is not a colour; write it as "
                    "'#RRGGBB', e.g. '#B71C1C'"),
    "rule-time": ("“{value}”不是时刻：按 时:分 写，例如 08:30", "'{value}' is not a time of day; write it as 'HH:MM', "
                  "e.g. '08:30'"),
    "rule-timezone": ("“{value}”不是时区：请用 IANA 名称，例如 Asia/Shanghai", "'{value}' is not a time zone; use an IANA "
                      "name such as 'Asia/Shanghai'"),
    "rule-listed-twice": ("{value} 列了两次，只列一次即可", "'{value}' is listed twice; list it once"),
    "rule-schema-too-new": ("这个文件按第 {schema} 版内容格式编写，而这个 kebao 只能读取第 {newest} 版：请升级 kebao",
                            "this file is written for content schema {schema}, but this kebao reads schema {newest}; "
                            "upgrade kebao"),
    "rule-schema-too-old": ("内容格式的版本从 1 开始，请写第 {newest} 版", "schema versions start at 1; write "
                            "'schema: {newest}'"),
    "rule-mix-sum": ("主题配比是百分比，合计应为 100，现在是 {total}", "strand weights are percentages and must add up "
                     "to 100, not {total}"),
    "rule-session-over-day": ("每段最多学时不能超过每天最多学时", "max_hours_per_session cannot exceed max_hours_per_day"),
    "rule-site-needed": ("现场教学模块要写明现场（地点和时长）", "a site-visit module needs 'site' (location and duration)"),
    "rule-site-only-visits": ("只有现场教学模块才写现场（site）：把形式改为现场教学，或删去 site",
                              "only a site-visit module has 'site'; set format: site-visit or remove it"),
    "rule-schema-2-front-matter": ("{field} 是第 2 版内容格式的字段：在文件开头的元数据里写 schema: 2",
                                   "'{field}' is a schema-2 field; write 'schema: 2' at the top of the front matter"),
    "rule-schema-2-field": ("{field} 是第 2 版内容格式的字段：在文件开头写 schema: 2",
                            "'{field}' is a schema-2 field; write 'schema: 2' at the top of the file"),
    "rule-schema-2-case": ("{field} 是第 2 版内容格式的字段：在 kebao: 下写 schema: 2",
                           "'{field}' is a schema-2 field; write 'schema: 2' under 'kebao:'"),
    "rule-handout-not-brought": ("讲义由培训机构印发，不由学员携带：去掉 bring 或 handout",
                                 "a handout is printed by the office, not brought: remove 'bring' or 'handout'"),
    "rule-trainer-needs-handout": ("trainer: true 表示仅供培训师的讲义：请写出讲义编号 handout",
                                   "'trainer: true' marks a handout for trainers only; give the handout's id"),
    "rule-evening-visit": ("现场教学不能是晚间活动：去掉晚间活动的设置", "a site visit cannot be an evening activity; "
                           "remove 'evening: true'"),
    "rule-pool-empty": ("选修来源要列出模块，或按主题选择", "a pool lists 'modules' or selects by 'strands'"),
    "rule-one-day": ("教学日、星期几、日期只能给一个，不能同时给 {given}", "give one of day, weekday or date, not {given}"),
    "rule-say-where": ("请写明安排在哪里：某个教学日、星期几或日期，某个时段，或排在另一个模块之后",
                       "say where: a day, weekday or date, a slot, or after another module"),
    "rule-time-needs-day": ("指定开始时间，还要指定教学日、星期几或日期", "a start time needs a day, weekday or date"),
    "rule-after-itself": ("模块不能排在自己之后", "a module cannot come after itself"),
    "rule-event-day": ("请写明{kind}在哪一天：报到日、第一个或最后一个教学日，或第几个教学日",
                       "say on which day the {kind} event is: day: arrival, first, last or a number"),
    "rule-session-backwards": ("这个时段的结束时间（{end}）早于开始时间（{start}）",
                               "the session ends ({end}) before it starts ({start})"),
    "rule-sessions-overlap": ("{then}的开始时间（{start}）早于{first}的结束时间（{end}）",
                              "the {then} session starts ({start}) before the {first} one ends ({end})"),
    "rule-mix-missing": ("缺少主题配比（第 1 版内容格式必须有；第 2 版中没有配比的项目是只排必修模块的固定日程）",
                         "missing 'mix' (required in schema 1; with 'schema: 2' a programme without a mix is a fixed "
                         "agenda of its required modules)"),
    "rule-times-twice": ("作息时间只写一处：day（第 2 版）或 session_starts，不要两个都写",
                         "give the sessions' times once: 'day' (schema 2) or 'session_starts', not both"),
    "rule-dated-no-travel": ("按固定星期或日期上课的项目没有报到日和返程日：请去掉 travel",
                             "a programme that meets on given dates has no arrival or departure days; leave travel "
                             "out"),
    "rule-dates-order": ("日期每个只写一次，并按先后顺序排列", "list the dates once each, earliest first"),
    "rule-start-not-first-date": ("开班日期（{start}）不是日期列表的第一天（{first}）：可以不写开班日期，或改成第一天",
                                  "start ({start}) is not the first of dates ({first}); leave start out or make it "
                                  "the first date"),
    "rule-days-not-dates": ("天数（{days}）与列出的 {count} 个日期不符：可以不写天数",
                            "days ({days}) differs from the {count} dates; leave days out"),
    "rule-holiday-region": ("“{value}”不是节假日库认识的国家或地区代码：写 CN（默认，中国大陆，含调休）、none（只按周末），"
                            "或 HK、MO、SG 这样的代码",
                            "'{value}' is not a country code the holidays package knows; write CN (the default: "
                            "mainland China with 调休), none, or an ISO code such as HK, MO or SG"),
    "rule-module-in-group-and-elsewhere": ("模块 {module} 在分组 {group} 中，不能再列入其他分组、必修、现场教学或阶段",
                                           "module '{module}' is in group '{group}': it cannot also be in another "
                                           "group, required, a site visit or in a phase"),
    "rule-group-placed": ("模块 {module} 的组与第一组 {first} 同时上课：只能给第一组的模块指定安排",
                          "module '{module}' is taught beside the first group '{first}': place the first group's "
                          "modules, the others follow them"),
    "rule-phases-or-calendar": ("分阶段的项目不能再用 calendar 或班次的 dates：每个阶段写自己的天数",
                                "a programme in phases has no calendar or cohort dates: each phase gives its days"),
    "rule-phase-days": ("天数（{days}）与各阶段天数之和（{total}）不符：可以不写 days",
                        "days ({days}) differs from the phases' {total} days; leave days out"),
    "rule-phase-none-teaches": ("至少要有一个面授或线上直播的阶段", "at least one phase must be face-to-face or live "
                                "online"),
    "rule-unknown-venue": ("阶段 {phase} 的地点 {venue} 不在 venues 里（已有：{known}）",
                           "phase '{phase}': venue '{venue}' is not in venues (known: {known})"),
    "rule-unknown-group-venue": ("分组 {group} 的地点 {venue} 不在 venues 里（已有：{known}）",
                                 "group '{group}': venue '{venue}' is not in venues (known: {known})"),
    "rule-module-in-two-phases": ("模块 {module} 列在多个阶段里：只列一次；若要每个阶段各上一次，写 repeat: {{{module}: {times}}}",
                                  "module '{module}' is listed in several phases; list it once, or to teach it once in "
                                  "each, add repeat: {{{module}: {times}}}"),
    "reason-repeated": ("{reason}（第 {time} 次，共 {times} 次）", "{reason} (time {time} of {times})"),
    "rule-required-twice": ("必修模块 {module} 列了 {times} 次：只列一次；若要重复讲授，写 repeat: {{{module}: {times}}}",
                            "required module '{module}' is listed {times} times; list it once, and to teach it "
                            "{times} times add repeat: {{{module}: {times}}}"),
    "rule-repeat-placed": ("模块 {module} 有指定安排、是现场教学或属于分组：这类模块只排一次，不能 repeat",
                           "module '{module}' is placed, a site visit or a group's: it is taught once and cannot "
                           "repeat"),
    "rule-repeat-not-listed": ("repeat 中的模块 {module} 不在必修（required）或任何阶段的模块里：先列入再重复",
                               "module '{module}' in repeat is neither required nor in a phase's modules; list it "
                               "there first"),
    "rule-repeat-phases": ("模块 {module} 要讲 {times} 次，却列在 {phases} 个阶段里：列在一个阶段，或列在 {times} 个阶段（每个一次）",
                           "module '{module}' is taught {times} times but listed in {phases} phases; list it in one "
                           "phase, or in {times} phases (once each)"),
    "rule-at-work-no-modules": ("返岗实践阶段 {phase} 不上课，不能列模块", "phase '{phase}' is back at work: it has no "
                                "modules"),
    "rule-self-paced-has-no-session": ("自主学习（self-paced）的模块不占课时段，不能是晚间活动或现场教学",
                                       "a self-paced module takes no session: it cannot be an evening activity or a "
                                       "site visit"),
    "problem-self-paced-in-class": ("自主学习模块 {module} 不占课时段，不能列在上课的阶段 {phase} 里",
                                    "self-paced module '{module}' takes no session: it cannot be listed in phase "
                                    "'{phase}', which teaches in sessions"),
    "advice-self-paced-phase": ("把它列在 mode: self-paced 的阶段里，或不列（在整个项目期间开放）",
                                "list it in a phase with mode: self-paced, or in none (open for the whole programme)"),
    "problem-class-in-self-paced": ("模块 {module} 要上课，不能列在自主学习阶段 {phase} 里",
                                    "module '{module}' is taught in sessions: it cannot be listed in the self-paced "
                                    "phase '{phase}'"),
    "advice-class-phase": ("把它列在面授或线上直播的阶段里，或把模块的 delivery 改为 self-paced",
                           "list it in a face-to-face or live-online phase, or make the module's delivery self-paced"),
    "rule-pools-need-mix": ("选修来源按主题配比选用：请设置主题配比，或把模块都列为必修模块，排成固定日程",
                            "pools are chosen from by the strand mix: give a 'mix', or list the modules under "
                            "'required' for a fixed agenda"),
    "rule-placed-twice": ("模块 {module} 有两处指定安排：只保留一处", "module '{module}' has two placements; give it one"),
    "rule-events-alike": ("有两个活动都叫 {key}：给每个活动一个自己的编号", "two events are '{key}'; give each its own 'id'"),
    "rule-holiday-backwards": ("“{name}”的结束日期（{last}）早于开始日期（{first}）",
                               "'{name}' ends ({last}) before it starts ({first})"),
    "rule-holiday-too-long": ("“{name}”长达 {days} 天，而法定节假日最多两周：请核对日期",
                              "'{name}' is {days} days long; a statutory holiday is at most a fortnight, check the dates"),
    "rule-workday-weekday": ("调休上班日 {day} 是{weekday}，而调休上班日应是周末：请核对日期",
                             "workday {day} is a {weekday}; 调休 workdays are weekend days worked instead, check the "
                             "date"),
    "rule-workday-in-holiday": ("调休上班日 {day} 落在假期“{holiday}”之内", "workday {day} falls inside the holiday "
                                "'{holiday}'"),
    "rule-year-twice": ("{year} 年出现了不止一次：每年只保留一条", "year {year} is given more than once; keep one entry "
                        "per year"),
    "problem-unknown-ref": ("未知的{kind} {value}", "unknown {kind} '{value}'"),
    "problem-own-prerequisite": ("模块不能是自己的先修模块", "a module cannot be its own prerequisite"),
    "problem-handout-missing": ("讲义“{material}”缺失：{file} 不存在",
                                "the handout '{material}' is missing: {file} does not exist"),
    "problem-data-outside": ("“{name}”必须是 cases/ 之内的路径", "'{name}' must be a path inside cases/"),
    "problem-data-missing": ("数据文件 cases/{name} 不存在", "data file 'cases/{name}' does not exist"),
    "problem-not-a-visit": ("模块 {module} 是{format}，不是现场教学", "module '{module}' is a {format}, not a site-visit"),
    "problem-outcome-twice": ("学习成果编号 {outcome} 重复了", "duplicate outcome id '{outcome}'"),
    "problem-not-for-audience": ("模块 {module} 不适合培训对象 {audience}",
                                 "module '{module}' is not meant for audience '{audience}'"),
    "problem-prerequisite-cycle": ("先修关系成环：{cycle}", "prerequisite cycle: {cycle}"),
    "problem-programme-exists": ("项目 {programme} 已经存在", "programme '{programme}' already exists"),
    "advice-add-field": ("补上这一项", "add it; see docs/content.md"),
    "advice-allowed-fields": ("可以写的项：{fields}", "allowed: {fields}"),
    "advice-true-or-false": ("写 true（是）或 false（否）", "write true or false"),
    "advice-whole-number": ("填一个整数", "write a whole number"),
    "advice-real-date": ("填一个真实的日期，格式为 年-月-日，例如 2026-12-07", "write a real date as YYYY-MM-DD"),
    "advice-number": ("填一个数字", "write a number"),
    "advice-quote-text": ("把文字放在引号里", "put the text in quotes"),
    "advice-list": ("写成一组，例如 [a, b]，或每行一个以“- ”开头的项", "write a list, e.g. [a, b] or one '- item' per line"),
    "advice-mapping": ("写成若干行“名称: 值”", "write a mapping of 'key: value' lines"),
    "advice-try-id": ("试试 {slug}", "try '{slug}'"),
    "advice-id-like": ("用类似 my-module 的名字", "use a name like 'my-module'"),
    "advice-known-ids": ("已有的{kind}：{ids}", "known {kind}s: {ids}"),
    "advice-none-defined": ("还没有任何{kind}", "no {kind}s are defined yet"),
    "advice-data-path": ("写成 data/my-file.csv 这样的路径", "write it like 'data/my-file.csv'"),
    "advice-add-data": ("添加这个文件，或改正路径", "add the file or fix the path"),
    "advice-visits-only": ("这里只列现场教学模块", "list site-visit modules only"),
    "advice-audience-or-other": ("在该模块的适用对象中加上 {audience}，或换一个模块",
                                 "add '{audience}' to the module's audiences or choose another module"),
    "advice-break-cycle": ("去掉其中一个先修关系", "remove one of these prerequisites"),
    "problem-file-gone": ("项目文件已经不在了", "the programme's file has disappeared"),
    "advice-reopen": ("重新打开这个项目，或把它作为新项目重新建立", "reopen the programme, or start it again as a new one"),
    "problem-file-exists": ("文件 {name} 已经存在", "the file {name} already exists"),
    "problem-studio-yaml": ("工作室将写出无效的 YAML：{problem}", "the studio would write invalid YAML: {problem}"),
    "problem-studio-inexact": ("工作室无法准确写入这些修改", "the studio could not write the changes exactly"),
    "advice-report": ("请报告这个问题；文件没有改动", "please report this; the file was not changed"),
    "warning-others-broken": ("已保存，但仓库里其他文件有问题：{problems}",
                              "saved, but other files in the repository have problems: {problems}"),
    "advice-other-id": ("换一个编号，或打开那个项目", "choose another id, or open that programme"),
    # -- the records' ledger: why a learner completed or not (records/ledger.py) ---------------------------
    "ledger-attendance": ("出勤 {attended}/{hours} 学时（{share}%）{sign} {least}%",
                          "attendance {attended}/{hours} 学时 ({share}%) {sign} {least}%"),
    "ledger-score": ("{module} {score} {sign} {least}", "{module} {score} {sign} {least}"),
    "ledger-no-score": ("{module} 无成绩", "{module}: no score"),
    "ledger-module-attended": ("{module} 出勤 {attended}/{hours} 学时 {sign} {least}%",
                               "{module} attended {attended}/{hours} 学时 {sign} {least}%"),
}

# What a command-line user types for an advice (appended on the command line only).
CLI_FLAGS: dict[str, tuple[str, str]] = {
    "advice-copy-notice": ("（pip install -U chinesecalendar）；不加 --strict-calendar 时 kebao 按暂定安排编排",
                           " (pip install -U chinesecalendar); without --strict-calendar kebao plans provisionally"),
    "advice-more-days": ("（--set days={days}）", " (--set days={days})"),
    "advice-more-days-programme": ("（项目文件中写 days: {days}，或只对一个班次用 --set days={days}）",
                                   " (days: {days} in the programme, or --set days={days} for one cohort)"),
    "advice-some-days": ("（--set days=…）", " (--set days=…)"),
    "advice-weekends": ("（去掉项目中的 weekends: false）", " (remove 'weekends: false' from the programme)"),
    "advice-evenings": ("（去掉项目中的 evenings: false）", " (remove 'evenings: false' from the programme)"),
    "advice-lower-weight": ("（--set mix.{strand_id}=…）", " (--set mix.{strand_id}=…)"),
    "advice-fewer-days": ("（--set days=…）", " (--set days=…)"),
    "advice-list-electives": ("（pools: - modules: [{ids}]）", " (pools: - modules: [{ids}])"),
    "advice-add-pool": ("（pools: - strands: [{strand_id}]）", " (pools: - strands: [{strand_id}])"),
}
