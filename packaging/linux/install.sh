#!/bin/sh
# UnoPim Desktop, from the extracted .tar.gz: adds the app to the application menu (the .desktop file,
# the icon, AppStream metadata) and `unopim-desktop` to the PATH, pointing at this folder.
#   ./install.sh               for you: ~/.local/share and ~/.local/bin
#   sudo ./install.sh          for every user: /usr/local/share and /usr/local/bin
#   PREFIX=DIR ./install.sh    into DIR/share and DIR/bin
#   ./install.sh --uninstall   undoes it (the app's folder and your data stay)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
app_id=io.github.unopim.UnoPimDesktop
if [ -n "${PREFIX:-}" ]; then
  data=$PREFIX/share; bin=$PREFIX/bin
elif [ "$(id -u)" -eq 0 ]; then
  data=/usr/local/share; bin=/usr/local/bin
else
  data=${XDG_DATA_HOME:-$HOME/.local/share}; bin=$HOME/.local/bin
fi
icons=$(cd "$here/share/icons/hicolor" && find . -name 'unopim-desktop.*' | sed 's|^\./||')

refresh() {
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$data/applications/$app_id.desktop" "$data/metainfo/$app_id.metainfo.xml" "$bin/unopim-desktop"
  for icon in $icons; do rm -f "$data/icons/hicolor/$icon"; done
  refresh
  echo "UnoPim Desktop removed from the menu and the PATH ($data, $bin)."
  exit 0
fi

mkdir -p "$data/applications" "$data/metainfo" "$bin"
sed -e "s|^Exec=.*|Exec=\"$here/UnoPimDesktop\"|" -e "/^Exec=/a TryExec=$here/UnoPimDesktop" \
  "$here/share/applications/$app_id.desktop" > "$data/applications/$app_id.desktop"
cp "$here/share/metainfo/$app_id.metainfo.xml" "$data/metainfo/"
for icon in $icons; do
  mkdir -p "$(dirname "$data/icons/hicolor/$icon")"
  cp "$here/share/icons/hicolor/$icon" "$data/icons/hicolor/$icon"
done
ln -sf "$here/unopim-desktop" "$bin/unopim-desktop"
refresh
echo "UnoPim Desktop is in the application menu; \`unopim-desktop\` is in $bin."
case ":$PATH:" in *":$bin:"*) ;; *) echo "(add $bin to your PATH to type unopim-desktop anywhere)";; esac
