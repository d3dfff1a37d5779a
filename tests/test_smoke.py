import re

from appraisal.extensions import db


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Log in" in response.data


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_admin_logs_in_and_sees_checklist(client, make, auth):
    admin = make.admin(username="boss")
    response = auth.login(admin)
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert b"Set-up checklist" in page.data


def test_the_checklist_follows_the_quantitative_baseline(client, make, auth):
    from appraisal.cycles.models import CycleState
    from tests.scorecards import factories

    auth.login(make.admin(username="boss"))

    def steps() -> dict[str, str]:
        html = client.get("/").get_data(as_text=True)
        found = re.findall(r'<li class="(done)?">\s*<a href="[^"]*">([^<]+)</a>', html)
        return {label: "done" if done else "to do" for done, label in found}

    assert steps()["Open an appraisal cycle with its schemes"] == "to do"
    assert steps()["Import the measurements"] == "to do"
    ward = factories.ward(make, size=3)  # an indicator library, an open cycle, measurements
    db.session.commit()
    done = steps()
    assert done["Choose the indicators of the library"] == "done"
    assert done["Open an appraisal cycle with its schemes"] == "done"
    assert done["Import the measurements"] == "done"
    ward.cycle.state = CycleState.draft
    db.session.commit()
    assert steps()["Open an appraisal cycle with its schemes"] == "to do"
