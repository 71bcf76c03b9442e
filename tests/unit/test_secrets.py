import logging
import stat

import keyring
import pytest
from keyring.backends import fail

from unopim_desktop.redact import MASK, RedactingFilter
from unopim_desktop.secrets import FALLBACK_WARNING, SecretStore


def _store(tmp_path):
    return SecretStore(tmp_path / "secrets.enc", tmp_path / "secrets.key")


def test_keychain_is_used_when_available(tmp_path, memory_keyring):
    store = _store(tmp_path)
    store.set("https://pim.example.com", "client_secret", "s3cr3t-value")
    assert store.get("https://pim.example.com", "client_secret") == "s3cr3t-value"
    assert not store.uses_fallback and store.warning is None
    assert not (tmp_path / "secrets.enc").exists()
    assert any(v == "s3cr3t-value" for v in memory_keyring.entries.values())


def test_entries_are_keyed_by_address(tmp_path):
    store = _store(tmp_path)
    store.set("https://a.example.com", "password", "pw-a-1234")
    assert store.get("https://b.example.com", "password") is None


def test_encrypted_file_fallback_without_a_keychain(tmp_path, caplog):
    keyring.set_keyring(fail.Keyring())
    store = _store(tmp_path)
    with caplog.at_level(logging.WARNING):
        store.set("https://pim.example.com", "password", "plain-password-xyz")
    assert store.uses_fallback and store.warning == FALLBACK_WARNING
    assert FALLBACK_WARNING in caplog.text
    assert b"plain-password-xyz" not in (tmp_path / "secrets.enc").read_bytes()
    assert stat.S_IMODE((tmp_path / "secrets.key").stat().st_mode) == 0o600
    assert _store(tmp_path).get("https://pim.example.com", "password") == "plain-password-xyz"
    store.delete("https://pim.example.com", "password")
    assert store.get("https://pim.example.com", "password") is None


async def test_async_calls_run_off_the_calling_thread(tmp_path):
    import threading

    seen = []

    class Spy(keyring.backend.KeyringBackend):
        priority = 1

        def get_password(self, s, u):
            seen.append(threading.current_thread().name)
            return "x-secret"

        def set_password(self, s, u, p):
            pass

        def delete_password(self, s, u):
            pass

    keyring.set_keyring(Spy())
    assert await _store(tmp_path).aget("https://a", "password") == "x-secret"
    assert seen and seen[0] != threading.current_thread().name


def test_log_records_never_carry_a_known_secret(tmp_path):
    store = _store(tmp_path)
    store.set("https://a", "client_secret", "zz-top-secret-42")
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "signing in with %s", ("zz-top-secret-42",), None)
    RedactingFilter().filter(record)
    assert "zz-top-secret-42" not in record.getMessage() and MASK in record.getMessage()


def test_keychain_refusal_on_write_is_a_clear_error(tmp_path):
    class Refusing(keyring.backend.KeyringBackend):
        priority = 1

        def get_password(self, s, u):
            return None

        def set_password(self, s, u, p):
            raise keyring.errors.KeyringLocked("locked")

        def delete_password(self, s, u):
            pass

    keyring.set_keyring(Refusing())
    from unopim_desktop.secrets import SecretStoreError

    with pytest.raises(SecretStoreError) as exc:
        _store(tmp_path).set("https://a", "password", "never-shown-pw")
    assert "never-shown-pw" not in str(exc.value)
