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
