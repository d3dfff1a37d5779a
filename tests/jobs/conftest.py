import pytest

from tests.notifications.smtp_server import SMTPServer


@pytest.fixture
def smtp_server():
    with SMTPServer() as server:
        yield server
