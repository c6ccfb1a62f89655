#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

namespace Aq::Ui
{
    // The publish runs the console recorded: one ids file per run (the format of `aqueduct publish --ids-out`),
    // named by the run's start in UTC, in <AppDataLocation>/runs. The Publish page writes them; the Dead letters
    // page reconciles them.
    namespace RecordedRuns
    {
        struct Run
        {
            QString path;
            QDateTime startedUtc;   // from the file's name
            qint64 bytes = 0;
        };

        // The console keeps this many runs; older ones are deleted when a new run is recorded.
        constexpr int MaxKept = 100;

        QString defaultFolder();
        // A new file's path for a run started at `startedUtc`: 2024-05-01T12-00-00.123Z.ids (no colons: it is a
        // file name on every system); never an existing file's.
        QString newRunPath(const QString &folder, const QDateTime &startedUtc);
        // The runs in the folder, newest first.
        QList<Run> list(const QString &folder);
        // Deletes all but the newest `keep` runs.
        void prune(const QString &folder, int keep = MaxKept);
    }
}
