#pragma once

namespace Aq::App
{
    // `aqueduct` with no command: the desktop console. It runs what `serve` runs (the local cloud on its data
    // folder, listening on loopback so that `aqueduct publish` in a terminal reaches it, and the ingest pipeline)
    // and shows it. Takes serve's flags; --listen defaults to a free loopback port.
    int runConsole(int argc, char *argv[]);
}
