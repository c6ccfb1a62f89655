#pragma once

#include <QString>
#include <QUrl>

#include "core/config/profile.h"
#include "core/pipeline/ingestsettings.h"

namespace Aq::Config
{
    class LocalBackendAccess;
}

namespace Aq::Remote
{
    class OperatorClient;
}

namespace Aq::Metrics
{
    class PipelineMetrics;
}

namespace Aq::Ui
{
    // What the console's window needs from the process that runs the pipeline (app/consolecommand): the profile
    // and resource names, how to reach the local cloud in-process, the live metrics, and where other processes
    // (aqueduct publish in a terminal) reach this console. A window that watches a remote `aqueduct serve` has
    // only `remote` (and its URL in `endpoint`): everything it shows and sends goes through that server's API.
    struct ConsoleContext
    {
        Config::Profile profile;
        Pipeline::IngestSettings ingest;
        Config::LocalBackendAccess *local = nullptr;       // null when no service is local
        Metrics::PipelineMetrics *metrics = nullptr;          // the console's own publishes count here too
        Remote::OperatorClient *remote = nullptr;             // set: a window on a remote server
        QUrl endpoint;
        QString profileName;                               // the saved profile it came from, if any
        QString backendDescription;                        // "local cloud (data folder ...)", "Google Cloud, project p"
    };
}
