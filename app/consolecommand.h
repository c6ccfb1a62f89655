#pragma once

namespace Aq::App
{
    // `aqueduct` with no command: the desktop console. It runs what `serve` runs (the local cloud on its data
    // folder, listening on loopback so that `aqueduct publish` in a terminal reaches it, and the ingest pipeline)
    // and shows it. Takes serve's flags; --listen defaults to a free loopback port. `aqueduct --remote URL` watches
    // a deployed `aqueduct serve` instead (key from AQUEDUCT_API_KEY, or asked for), with nothing local running;
    // File > Watch a remote server… opens such a window beside the local one.
    int runConsole(int argc, char *argv[]);
}
