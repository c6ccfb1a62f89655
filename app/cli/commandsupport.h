#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <QEventLoop>
#include <QString>

#include "core/common/result.h"
#include "core/config/connection.h"
#include "core/config/profile.h"

class QCommandLineParser;

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

    // Parses a subcommand's flags after adding the profile flags and -v/--verbose (which logs each request;
    // without it the local cloud's informational logs stay quiet: a command's output is its result). Returns
    // the positional arguments after the subcommand's name; a usage error, or the "help" error for --help.
    Result<QStringList> parseCommandLine(QCommandLineParser &parser, const QString &command, const QStringList &arguments, QString *helpText);

    // A command's flags did not parse: --help (an error whose reason is "help") goes to stdout and is ExitOk;
    // anything else is printed as a usage error, ExitUsage.
    int reportParseFailure(const QString &command, const ApiError &error, const QString &helpText);

    // Runs the event loop until the call that `start` makes answers.
    template <typename T>
    Result<T> waitFor(const std::function<void(std::function<void(Result<T>)>)> &start)
    {
        std::optional<Result<T>> outcome;
        QEventLoop loop;
        start([&](Result<T> result) {
            outcome.emplace(std::move(result));
            loop.quit();
        });
        if (!outcome)
            loop.exec();
        return std::move(*outcome);
    }

    // Opens the profile's connection, running the event loop until it is ready.
    Result<std::unique_ptr<Config::Connection>> openConnection(const Config::Profile &profile, Config::LocalBackendAccess *local);
    // openConnection failed: the message on stderr; ExitFolderOwned when the data folder's owner cannot be reached
    // (FAILED_PRECONDITION), else ExitFailure.
    int reportConnectionFailure(const QString &command, const ApiError &error);
}
