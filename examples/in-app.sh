# Sourced by each example's make-failure-log.sh, so that a real run prints the container's paths: `in_app VENV
# SCRIPT FILE...` makes /app (the FILEs copied in, and a venv at /app/.venv whose site-packages links to VENV's,
# with its own copy of the console script SCRIPT that starts the app) and sets run_venv to the venv to run. Run
# without root it makes nothing, says so, and sets run_venv to VENV. `made_app` says which; the caller's EXIT trap
# removes /app when it made it. An /app it did not make is never touched.
app=/app
made_app=no

in_app() {
    local venv="$1" script="$2" site app_site
    shift 2
    if [ -e "$app" ]; then
        echo "make-failure-log: $app exists here; it would be the deploy's, not this example's: not regenerating" >&2
        exit 2
    fi
    if ! mkdir "$app" 2>/dev/null; then
        echo "make-failure-log: cannot make $app (not root?): running in place and rewriting the printed prefixes" >&2
        run_venv="$venv"
        return
    fi
    made_app=yes
    cp -a "$@" "$app/"
    find "$app" -name __pycache__ -prune -exec rm -rf {} +
    site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
    "$venv/bin/python" -m venv --without-pip "$app/.venv"
    app_site="$("$app/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
    rm -rf "$app_site"
    ln -s "$site" "$app_site"
    # What pip writes for a venv at /app/.venv: the venv's own script, its shebang naming /app/.venv's Python.
    { echo "#!$app/.venv/bin/python"; tail -n +2 "$venv/bin/$script"; } > "$app/.venv/bin/$script"
    chmod 755 "$app/.venv/bin/$script"
    run_venv="$app/.venv"
}
