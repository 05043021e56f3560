"""Roster pages through the test client: generate → solve (job) → result → publish → month grid; hand-edit and
settings refusals name the broken rule; my shifts, on duty, versions and the home panel."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

from sqlmodel import select

from desk.db import session_scope
from roster import clock, drafts, jobs, preferences, seat_holders, solve_inputs, versions, words
from roster.models import RosterVersion
from tests.conftest import csrf_token, login
from tests.roster.deskdata import END, START, approved_leave, published

NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)  # when the scheduler runs the queued solves


def _post(client, url: str, data: dict, page: str | None = None):
    token = csrf_token(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def test_generate_solve_review_publish(leader, desk):
    approved_leave(desk, "liqiang", START + timedelta(days=5), START + timedelta(days=6))  # a real cost to explain
    r = _post(leader, "/roster/generate", {"start": START.isoformat(), "end": END.isoformat(), "note": "autumn"})
    assert r.status_code == 302
    url = r.location
    html = leader.get(url).get_data(as_text=True)
    assert 'id="solve-progress"' in html and "roster.js" in html
    assert leader.get(url + "/status").get_json()["job_status"] == "queued"
    assert jobs.run_pending_solves(desk, now=NOW) == 1
    html = leader.get(url).get_data(as_text=True)
    assert "optimal: proven best roster" in html and 'id="cost-breakdown"' in html
    assert 'id="roster-grid-2026-09"' in html and 'id="roster-grid-2026-10"' in html and 'id="publish"' in html
    assert "Substitutions" in html and "马军" in html  # the cost by rule and person: the spare covers
    r = _post(leader, url + "/publish", {}, page=url)
    assert r.status_code == 302
    html = leader.get(url).get_data(as_text=True)
    assert "Published as version 1." in html and 'id="publish"' not in html
    month = leader.get(f"/roster/?month={START:%Y-%m}").get_data(as_text=True)
    assert "Published roster, version 1." in month and 'id="roster-grid-2026-09"' in month
    assert month.count('class="holiday') >= 1  # National Day is shaded
    oct_ = leader.get("/roster/?month=2026-10").get_data(as_text=True)
    assert "张伟" in oct_ and re.search(r'class="(workday|weekend|holiday) sD', oct_)


def test_amendment_shows_the_diff_before_publishing(leader, desk):
    published(desk)
    r = _post(leader, "/roster/amend", {"start": (START + timedelta(days=2)).isoformat(),
                                        "end": (START + timedelta(days=4)).isoformat(), "note": "swap"},
              page=f"/roster/?month={START:%Y-%m}")
    assert r.status_code == 302
    url = r.location
    jobs.run_pending_solves(desk, now=NOW)
    html = leader.get(url).get_data(as_text=True)
    assert "Changes against the published roster" in html and 'id="diff-none"' in html  # nothing to change yet
    with session_scope(desk) as s:
        busy = {a.day for a in versions.published_assignments(s, start=START, end=END) if a.username == "majun"}
    day = START + timedelta(days=3)
    assert not busy & {day - timedelta(days=1), day, day + timedelta(days=1)}  # the spare rests around it
    r = _post(leader, url + "/seat", {"day": day.isoformat(), "shift": "D", "position": "info",
                                      "username": "majun"}, page=url)
    html = leader.get(r.location).get_data(as_text=True)
    assert "Seat changed and pinned." in html
    diff = html[html.index('id="diff-table"'):]
    assert "马军" in diff and "changed" in diff
    r = _post(leader, url + "/publish", {}, page=url)
    assert "Published as version 2." in leader.get(r.location).get_data(as_text=True)


def test_a_hand_edit_that_breaks_a_rule_says_which(leader, desk):
    with session_scope(desk) as s:
        draft = drafts.create_draft(s, actor="zhangwei", start=START, end=END)
        drafts.solve_version(s, version=draft)
        rows = versions.version_assignments(s, version_id=draft.id)
        night = next(a for a in rows if a.shift == "N" and a.position == "leader" and a.day < END)
    url = f"/roster/versions/{draft.id}"
    r = _post(leader, url + "/seat", {"day": (night.day + timedelta(days=1)).isoformat(), "shift": "D",
                                      "position": "leader", "username": night.username}, page=url)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Not changed:" in html and "No day shift right after a night shift: " in html
    assert "would work the day shift of" in html


def test_settings_refuse_a_pattern_that_breaks_a_rule(leader, desk):
    page = leader.get("/roster/settings")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    form = {k: unescape(v) for k, v in re.findall(r'<input[^>]*name="([\w_]+)"[^>]*value="([^"]*)"', html)}
    form.update({"pattern": "custom", "custom": "DNDNOO", "default_offsets": "y"})
    form.pop("csrf_token", None)
    r = _post(leader, "/roster/settings", form)
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert 'id="settings-problems"' in body and "night_then_day" in body
    form.update({"pattern": "DDNNOOOO", "default_offsets": ""})  # the DNOO offsets left as they were
    r = _post(leader, "/roster/settings", form)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    saved = leader.get("/roster/settings").get_data(as_text=True)
    assert '<option selected value="DDNNOOOO">' in saved
    assert re.search(r'name="offset_B"[^>]*value="6"', saved)  # the preset's own offsets were used


def test_watcher_sees_the_grid_and_their_shifts_but_not_drafts(app, client, desk):
    today = START + timedelta(days=3)
    app.config[clock.CONFIG_KEY] = datetime(today.year, today.month, today.day, 2, 0, tzinfo=UTC)  # 10:00 at the desk
    published(desk, today - timedelta(days=1), today + timedelta(days=12))
    login(client, "liqiang")
    assert client.get("/roster/").status_code == 200
    mine = client.get("/roster/mine").get_data(as_text=True)
    assert 'id="my-shifts"' in mine and "Information watcher" in mine
    home = client.get("/").get_data(as_text=True)
    now = home[home.index('id="duty-now"'):home.index('id="duty-next"')]
    assert 'data-position="leader"' in now and "No published roster" not in now
    assert client.get("/roster/versions").status_code == 403
    assert client.get("/roster/generate").status_code == 403
    with session_scope(desk) as s:
        vid = s.exec(select(RosterVersion.id)).first()
    assert client.get(f"/roster/versions/{vid}").status_code == 403


def test_versions_page_lists_drafts_and_published(leader, desk):
    published(desk)
    html = leader.get("/roster/versions").get_data(as_text=True)
    assert 'id="versions-table"' in html and "v1" in html
    assert leader.get("/roster/versions/999").status_code == 404
    assert leader.get("/roster/?month=2026-99").status_code == 400
    assert leader.get("/roster/oncall").status_code == 200


def test_month_links_its_drafts_and_generates_for_itself(leader, desk):
    with session_scope(desk) as s:
        draft = drafts.create_draft(s, actor="zhangwei", start=START, end=END)
    month = leader.get(f"/roster/?month={START:%Y-%m}").get_data(as_text=True)
    assert f'href="/roster/versions/{draft.id}"' in month and "solving" in month
    assert "/roster/generate?month=2026-09" in month  # nothing published: offer to generate this month
    form = leader.get("/roster/generate?month=2026-09").get_data(as_text=True)
    assert 'value="2026-09-01"' in form and 'value="2026-09-30"' in form


def test_a_watcher_records_a_wish_and_the_next_solve_sees_it(client, desk):
    login(client, "liqiang")
    r = _post(client, "/roster/mine/wishes", {"wanted": "0", "shift": "N", "weekday": "5", "weight": "3"},
              page="/roster/mine")
    assert r.status_code == 302
    page = client.get("/roster/mine").get_data(as_text=True)
    assert "Wish saved" in page and "Saturdays" in page
    bad = _post(client, "/roster/mine/wishes", {"wanted": "1", "shift": "", "weekday": "", "weight": "1"},
                page="/roster/mine")
    assert "Choose either a date or a weekday." in client.get(bad.location).get_data(as_text=True)
    with session_scope(desk) as s:
        prefs = solve_inputs.build_inputs(s, start=START, days=7).preferences
        assert [(p.username, p.wanted, p.weekday, p.shift, p.weight) for p in prefs] == [
            ("liqiang", False, 5, "N", 3)]
        me = next(p.id for p in seat_holders.people_by_id(s).values() if p.username == "liqiang")
        pid = preferences.preferences_of(s, person_id=me)[0].id
    other = client.application.test_client()
    login(other, "wangfang")  # someone else cannot remove it
    assert _post(other, f"/roster/mine/wishes/{pid}/delete", {}, page="/roster/mine").status_code == 404
    _post(client, f"/roster/mine/wishes/{pid}/delete", {}, page="/roster/mine")
    assert "No wishes yet." in client.get("/roster/mine").get_data(as_text=True)


def test_a_solve_whose_process_died_shows_the_leader_why(leader, desk):
    with session_scope(desk) as s:
        vid = drafts.create_draft(s, actor="zhangwei", start=START, end=END).id
    assert jobs.claim(desk, vid, NOW)  # the solving process dies right after claiming it
    jobs.run_pending_solves(desk, now=NOW + jobs.STALE_AFTER + timedelta(seconds=1))
    html = leader.get(f"/roster/versions/{vid}").get_data(as_text=True)
    failed = html[html.index('id="solve-failed"'):]
    assert "the solving process stopped (no sign of life since 2026-09-01 02:00:00 UTC)" in failed
    assert 'id="resolve"' in html or "/resolve" in html  # the leader can solve it again


def test_the_explanation_is_shown_in_the_readers_language_and_old_drafts_still_display(leader, desk):
    from roster.domain import Explanation, Gap, msg

    expl = Explanation(msg("no_roster"), (Gap(START, "N", "comms", (("liqiang", msg("on_leave")),)),),
                       (msg("rest_rules_of", person="wangfang"),))
    with session_scope(desk) as s:
        new = drafts.create_draft(s, actor="zhangwei", start=START, end=END)
        new.explanation = words.explanation_data(expl, seat_holders.display_names(s))
        new.warnings = words.stored_warnings((msg("holiday_year_unknown", year=2027),))
        new.job_status, new.solver_status = "done", "INFEASIBLE"
        old = drafts.create_draft(s, actor="zhangwei", start=START, end=END)
        old.explanation = {"lines": ["no roster satisfies every rule; in conflict: rest rules for 王芳"],
                           "summary": "no roster satisfies every rule", "gaps": [], "conflicts": []}
        old.warnings = ["holiday calendar has no data for 2027: only weekends counted, public holidays unknown"]
        old.job_status, old.solver_status = "done", "INFEASIBLE"
        ids = new.id, old.id
    en = leader.get(f"/roster/versions/{ids[0]}").get_data(as_text=True)
    assert f"{START:%m-%d} night: no communications watcher: 李强 on leave" in en
    assert "the rest rules of 王芳" in en and "The holiday calendar has no data for 2027" in en
    zh = leader.get(f"/roster/versions/{ids[0]}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert f"{START:%m-%d} 夜班缺通信值班员：李强请假" in zh and "王芳 的休息规则" in zh
    stored = leader.get(f"/roster/versions/{ids[1]}").get_data(as_text=True)
    assert "in conflict: rest rules for 王芳" in stored and "holiday calendar has no data for 2027" in stored


def test_a_discarded_draft_opens_and_the_versions_list_says_so(leader, desk):
    r = _post(leader, "/roster/generate", {"start": START.isoformat(), "end": END.isoformat(), "note": "gone"})
    url = r.location
    jobs.run_pending_solves(desk, now=NOW)
    r = _post(leader, url + "/discard", {}, page=url)
    assert r.status_code == 302
    page = leader.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    assert "The draft is discarded." in page.get_data(as_text=True)
    listing = leader.get("/roster/versions").get_data(as_text=True)
    assert listing.count("discarded") >= 1


def test_a_refused_hand_edit_keeps_what_was_chosen_and_publish_asks_first(leader, desk):
    r = _post(leader, "/roster/generate", {"start": START.isoformat(), "end": END.isoformat(), "note": ""})
    url = r.location
    jobs.run_pending_solves(desk, now=NOW)
    page = leader.get(url).get_data(as_text=True)
    assert re.search(r'<details class="confirm-step" id="publish-step">.*id="publish"', page, re.S)
    assert re.search(r'<details class="confirm-step" id="discard-step">.*id="discard"', page, re.S)
    day = START + timedelta(days=9)
    r = _post(leader, url + "/seat", {"day": day.isoformat(), "shift": "N", "position": "comms",
                                      "username": "zhangwei"}, page=url)  # a leader without the comms skill
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Not changed:" in html
    form = html[html.index('id="seat-form"'):]
    assert f'value="{day.isoformat()}"' in form
    assert re.search(r'<option selected value="N">|<option value="N" selected>', form)
    assert re.search(r'<option selected value="comms">|<option value="comms" selected>', form)
    assert re.search(r'<option selected value="zhangwei">|<option value="zhangwei" selected>', form)


def test_versions_name_people_not_usernames(leader, desk):
    r = _post(leader, "/roster/generate", {"start": START.isoformat(), "end": END.isoformat(), "note": ""})
    listing = leader.get("/roster/versions").get_data(as_text=True)
    assert re.search(r"· 张伟</td>", listing) and "· zhangwei" not in listing
    page = leader.get(r.location).get_data(as_text=True)
    assert re.search(r"· 张伟</dd>", page) and "· zhangwei" not in page


def test_settings_show_the_teams_next_days_not_a_formula(app, leader, desk):
    app.config[clock.CONFIG_KEY] = NOW
    html = leader.get("/roster/settings").get_data(as_text=True)
    assert "modulo" not in html
    table = html[html.index('id="rotation-preview"'):html.index("</table>", html.index('id="rotation-preview"'))]
    rows = re.findall(r"<tr><th>Team ([ABCD])</th>(.*?)</tr>", table)
    assert [team for team, _cells in rows] == ["A", "B", "C", "D"]
    letters = [re.findall(r'<td class="s([DNO])">', cells) for _team, cells in rows]
    assert all(len(row) == 8 for row in letters)
    for day in zip(*letters, strict=True):  # every day: one team on days, one on nights
        assert sorted(day).count("D") == 1 and sorted(day).count("N") == 1
    assert re.search(r'class="field check" id="default-offsets-field"><input[^>]*type="checkbox"[^>]*> <label', html)
    assert NOW.strftime("%m-%d") in table


def test_my_shifts_show_my_own_leave(app, leader, desk):
    app.config[clock.CONFIG_KEY] = NOW
    approved_leave(desk, "zhangwei", START + timedelta(days=3), START + timedelta(days=4))
    approved_leave(desk, "liqiang", START + timedelta(days=5), START + timedelta(days=5))  # not mine
    html = leader.get("/roster/mine").get_data(as_text=True)
    mine = html[html.index('id="my-leave"'):html.index('id="wishes"')]
    assert f"{START + timedelta(days=3)} – {START + timedelta(days=4)}" in mine and "approved" in mine
    assert str(START + timedelta(days=5)) not in mine
    zh = leader.get("/roster/mine", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "我的请假" in zh
