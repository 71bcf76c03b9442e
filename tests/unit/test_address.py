import pytest

from unopim_desktop.app.connection import AddressError, ConnectionForm, check_form, normalize_address


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://pim.example.com", "https://pim.example.com"),
        ("  HTTPS://PIM.Example.COM  ", "https://pim.example.com"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://pim.example.com:443", "https://pim.example.com"),
        ("http://pim.example.com:80", "http://pim.example.com"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_bare_addresses_are_normalized(raw, expected):
    assert normalize_address(raw) == expected


def test_trailing_slash_is_refused_with_the_bare_address():
    with pytest.raises(AddressError) as exc:
        normalize_address("https://pim.example.com/")
    assert "trailing slash" in str(exc.value)
    assert "https://pim.example.com" in str(exc.value)


@pytest.mark.parametrize("raw", ["https://pim.example.com/admin", "https://pim.example.com/api/v1/rest",
                                 "https://pim.example.com?x=1", "https://pim.example.com/#top"])
def test_path_query_or_fragment_is_refused_showing_the_bare_address(raw):
    with pytest.raises(AddressError) as exc:
        normalize_address(raw)
    assert "use just the bare unopim address" in str(exc.value).lower()
    assert "https://pim.example.com " in str(exc.value) or str(exc.value).split(": ")[1].startswith(
        "https://pim.example.com"
    )


@pytest.mark.parametrize("raw", ["pim.example.com", "ftp://pim.example.com", "https://", "", "   "])
def test_not_a_web_address(raw):
    with pytest.raises(AddressError):
        normalize_address(raw)


def test_credentials_in_the_address_are_refused():
    with pytest.raises(AddressError, match="user name or password"):
        normalize_address("https://admin:pw@pim.example.com")


def _form(**kw):
    base = dict(address="https://pim.example.com", client_id="id", client_secret="s", username="u", password="p")
    base.update(kw)
    return ConnectionForm(**base)


def test_required_fields_on_first_save():
    problems = check_form(_form(client_id=" ", client_secret="", username="", password=""),
                          stored_secret=False, stored_password=False)
    assert {p.field for p in problems} == {"client_id", "client_secret", "username", "password"}


def test_blank_secrets_are_fine_on_a_re_save():
    assert check_form(_form(client_secret="", password=""), stored_secret=True, stored_password=True) == []


def test_secret_repr_hides_values():
    text = repr(_form(client_secret="very-secret-value", password="hunter2-password"))
    assert "very-secret-value" not in text and "hunter2-password" not in text
