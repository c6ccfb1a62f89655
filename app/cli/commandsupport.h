#pragma once

#include <memory>

#include <QString>

#include "core/common/result.h"
#include "core/config/connection.h"
#include "core/config/profile.h"

namespace Aq::Cli
{
    // Exit codes of the subcommands (documented in --help and the README).
    enum ExitCode
    {
        ExitOk = 0,
        ExitFailure = 1,        // the command ran and failed: a query error, an unreachable service
        ExitUsage = 2,          // bad flags or values
        ExitFolderOwned = 3,    // the data folder is owned by another process that cannot be reached
    };

    // "aqueduct query: message" on stderr.
    void printError(const QString &command, const QString &message);
    void printWarnings(const QString &command, const QStringList &warnings);

    // Opens the profile's connection, running the event loop until it is ready.
    Result<std::unique_ptr<Config::Connection>> openConnection(const Config::Profile &profile, Config::LocalBackendAccess *local);
}
