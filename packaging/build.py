#!/usr/bin/env python3
"""Build the bundle (build.spec, PyInstaller) and this platform's installer, and report the bundle's size.

    pip install -e ".[bundle]"
    python packaging/build.py                 bundle + installer, in dist/
    python packaging/build.py --bundle-only   the bundle alone (dist/UnoPimDesktop/)
    python packaging/build.py --icons         remake the .ico and .icns from the PNGs (needs Pillow)

Linux    dist/unopim-desktop-VERSION-linux-ARCH.tar.gz: the bundle, the .desktop file, AppStream metadata,
         the icon in every hicolor size and install.sh (menu entry, icon, `unopim-desktop` on the PATH).
Windows  dist/unopim-desktop-VERSION-windows-x64-setup.exe: Inno Setup (`iscc` on the PATH) compiles
         packaging/windows/unopim-desktop.iss. With WINDOWS_SIGN_ARGS set (the arguments of
         `signtool sign`, e.g. certificate and timestamp server) the executables and the installer are signed.
macOS    dist/UnoPim-Desktop-VERSION-macos.dmg with "UnoPim Desktop.app". With MACOS_SIGN_IDENTITY set the app
         is signed (hardened runtime, packaging/macos/entitlements.plist) and so is the .dmg; with
         MACOS_NOTARY_PROFILE set too (a `notarytool store-credentials` profile) it is notarized and stapled.

Only the Linux steps can run on Linux; PyInstaller builds for the platform it runs on.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the platform check's package list, from a checkout that is not installed

APP_ID = "io.github.unopim.UnoPimDesktop"
GUI_NAME = "UnoPimDesktop"
CLI_NAME = "unopim-desktop"
ICON_NAME = "unopim-desktop"
ICONS = ROOT / "unopim_desktop" / "resources" / "icons"
RESOURCES = ROOT / "resources"
MAX_MB_LINUX = 150


def log(message: str) -> None:
    print(message, flush=True)


def run(cmd: list[str], **kwargs) -> None:
    log("$ " + shlex.join(cmd))
    subprocess.run(cmd, check=True, **kwargs)


# -- the bundle --------------------------------------------------------------------------------------
def build_bundle(dist: Path, work: Path, *, clean: bool = False) -> Path:
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work)]
    if clean:
        cmd.append("--clean")
    started = time.monotonic()
    run([*cmd, str(ROOT / "build.spec")], cwd=ROOT)
    log(f"PyInstaller took {time.monotonic() - started:.0f} s")
    return dist / GUI_NAME


def tree_size(folder: Path) -> tuple[int, int]:
    """Bytes and number of files under `folder`, symlinks not followed (what unpacking takes on disk)."""
    total = files = 0
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            st = os.lstat(os.path.join(dirpath, name))
            total += st.st_size
            files += 1
    return total, files


def report_size(bundle: Path, max_mb: float | None) -> float:
    size, files = tree_size(bundle)
    mb = size / 1_000_000
    limit = f" (limit {max_mb:.0f} MB)" if max_mb else ""
    log(f"bundle: {bundle} is {mb:.1f} MB unpacked, {files} files{limit}")
    if max_mb and mb > max_mb:
        raise SystemExit(f"the bundle is {mb:.1f} MB, over the {max_mb:.0f} MB limit: see build.spec's excludes")
    return mb


# -- Linux: a .tar.gz ------------------------------------------------------------------------------------
def linux_readme(app_version: str) -> str:
    from unopim_desktop.ui.platform_check import window_packages

    return f"""UnoPim Desktop {app_version}

Run ./{GUI_NAME} (the window) or ./{CLI_NAME} --help (the commands) from this folder; nothing else to
install but the system libraries Qt needs, which a desktop normally has. If one is missing, the app says
which package to install. All of them, on Debian/Ubuntu (as root, or with sudo):

  apt-get install -y {' '.join(window_packages())}

./install.sh adds the app to your application menu and `{CLI_NAME}` to ~/.local/bin (as root: for every
user, in /usr/local). ./install.sh --uninstall removes that again. Your data stays in your user data folder.

Try it without any account: ./{GUI_NAME} --demo
"""


def package_linux(bundle: Path, dist: Path, app_version: str) -> Path:
    arch = platform.machine() or "unknown"
    top = f"{CLI_NAME}-{app_version}-linux-{arch}"
    out = dist / f"{top}.tar.gz"
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        readme = Path(tmp) / "README.txt"
        readme.write_text(linux_readme(app_version), encoding="utf-8")
        with tarfile.open(out, "w:gz", compresslevel=6) as tar:
            tar.add(bundle, arcname=top)
            tar.add(RESOURCES / "linux" / f"{APP_ID}.desktop", arcname=f"{top}/share/applications/{APP_ID}.desktop")
            tar.add(RESOURCES / "linux" / f"{APP_ID}.metainfo.xml",
                    arcname=f"{top}/share/metainfo/{APP_ID}.metainfo.xml")
            for png in sorted(ICONS.glob(f"{ICON_NAME}-*.png")):
                size = png.stem.rsplit("-", 1)[1]
                tar.add(png, arcname=f"{top}/share/icons/hicolor/{size}x{size}/apps/{ICON_NAME}.png")
            tar.add(ICONS / f"{ICON_NAME}.svg", arcname=f"{top}/share/icons/hicolor/scalable/apps/{ICON_NAME}.svg")
            tar.add(ROOT / "packaging" / "linux" / "install.sh", arcname=f"{top}/install.sh")
            tar.add(readme, arcname=f"{top}/README.txt")
    log(f"package: {out} ({out.stat().st_size / 1_000_000:.1f} MB, {time.monotonic() - started:.0f} s)")
    return out


# -- Windows: Inno Setup ---------------------------------------------------------------------------------
def sign_windows(files: list[Path]) -> None:
    args = os.environ.get("WINDOWS_SIGN_ARGS")
    if not args:
        log("not signed (set WINDOWS_SIGN_ARGS to the arguments of `signtool sign`)")
        return
    # One Windows command line, as the arguments would be typed (quoted paths stay as written).
    command = f"signtool sign {args} " + " ".join(f'"{f}"' for f in files)
    log(f"$ signtool sign … {len(files)} file(s)")
    subprocess.run(command, check=True)


def package_windows(bundle: Path, dist: Path, app_version: str) -> Path | None:
    sign_windows([bundle / f"{GUI_NAME}.exe", bundle / f"{CLI_NAME}.exe"])
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if iscc is None:
        log("Inno Setup's iscc is not on the PATH: install Inno Setup 6 to build the installer")
        return None
    run([iscc, f"/DAppVersion={app_version}", f"/DBundleDir={bundle}", f"/DOutputDir={dist}",
         f"/DIconFile={RESOURCES / 'windows' / 'unopim-desktop.ico'}",
         str(ROOT / "packaging" / "windows" / "unopim-desktop.iss")])
    out = dist / f"{CLI_NAME}-{app_version}-windows-x64-setup.exe"
    sign_windows([out])
    log(f"package: {out}")
    return out


# -- macOS: .app in a .dmg -------------------------------------------------------------------------------
def package_macos(dist: Path, app_version: str) -> Path:
    app = dist / "UnoPim Desktop.app"
    identity = os.environ.get("MACOS_SIGN_IDENTITY")
    if identity:
        run(["codesign", "--force", "--deep", "--timestamp", "--options", "runtime",
             "--entitlements", str(ROOT / "packaging" / "macos" / "entitlements.plist"), "--sign", identity, str(app)])
        run(["codesign", "--verify", "--deep", "--strict", str(app)])
    else:
        log("not signed (set MACOS_SIGN_IDENTITY to a Developer ID Application identity)")
    out = dist / f"UnoPim-Desktop-{app_version}-macos.dmg"
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / "UnoPim Desktop"
        stage.mkdir()
        run(["ditto", str(app), str(stage / app.name)])
        (stage / "Applications").symlink_to("/Applications")
        run(["hdiutil", "create", "-volname", "UnoPim Desktop", "-srcfolder", str(stage), "-ov",
             "-format", "UDZO", str(out)])
    if identity:
        run(["codesign", "--force", "--timestamp", "--sign", identity, str(out)])
        profile = os.environ.get("MACOS_NOTARY_PROFILE")
        if profile:
            run(["xcrun", "notarytool", "submit", str(out), "--keychain-profile", profile, "--wait"])
            run(["xcrun", "stapler", "staple", str(out)])
    log(f"package: {out}")
    return out


# -- icons -------------------------------------------------------------------------------------------------
def make_icons() -> None:
    """The Windows .ico (16–256 px) and the macOS .icns (16–512 px) from the package's PNGs."""
    from PIL import Image

    biggest = Image.open(ICONS / f"{ICON_NAME}-512.png")
    ico = RESOURCES / "windows" / f"{ICON_NAME}.ico"
    icns = RESOURCES / "macos" / f"{ICON_NAME}.icns"
    ico.parent.mkdir(exist_ok=True)
    icns.parent.mkdir(exist_ok=True)
    Image.open(ICONS / f"{ICON_NAME}-256.png").save(ico, sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    biggest.save(icns, append_images=[Image.open(p) for p in sorted(ICONS.glob(f"{ICON_NAME}-*.png"))])
    log(f"wrote {ico.relative_to(ROOT)} and {icns.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundle and installer go")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller's work folder")
    parser.add_argument("--bundle-only", action="store_true", help="build and measure the bundle, no installer")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument("--max-mb", type=float, default=None,
                        help=f"fail when the unpacked bundle is larger (default on Linux: {MAX_MB_LINUX})")
    parser.add_argument("--icons", action="store_true", help="only remake the .ico and .icns from the PNGs")
    args = parser.parse_args(argv)
    if args.icons:
        make_icons()
        return 0

    app_version = version("unopim-desktop")
    dist = args.dist.resolve()
    bundle = build_bundle(dist, args.work.resolve(), clean=args.clean)
    if sys.platform == "darwin":
        bundle = dist / "UnoPim Desktop.app"
    max_mb = args.max_mb if args.max_mb is not None else (MAX_MB_LINUX if sys.platform.startswith("linux") else None)
    report_size(bundle, max_mb)
    if args.bundle_only:
        return 0
    if sys.platform.startswith("linux"):
        package_linux(bundle, dist, app_version)
    elif sys.platform == "win32":
        package_windows(bundle, dist, app_version)
    elif sys.platform == "darwin":
        package_macos(dist, app_version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
