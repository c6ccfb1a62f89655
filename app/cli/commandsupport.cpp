#include "app/cli/commandsupport.h"

#include <cstdio>
#include <optional>

#include <QEventLoop>

namespace Aq::Cli
{
    void printError(const QString &command, const QString &message)
    {
        fprintf(stderr, "aqueduct %s: %s\n", qPrintable(command), qPrintable(message));
    }

    void printWarnings(const QString &command, const QStringList &warnings)
    {
        for (const QString &warning : warnings)
            fprintf(stderr, "aqueduct %s: warning: %s\n", qPrintable(command), qPrintable(warning));
    }

    Result<std::unique_ptr<Config::Connection>> openConnection(const Config::Profile &profile, Config::LocalBackendAccess *local)
    {
        std::optional<Result<std::unique_ptr<Config::Connection>>> outcome;
        QEventLoop loop;
        Config::Connection::open(profile, local, nullptr, [&](Result<std::unique_ptr<Config::Connection>> connection) {
            outcome.emplace(std::move(connection));
            loop.quit();
        });
        if (!outcome)
            loop.exec();
        if (!*outcome)
            return outcome->error();
        return std::move(outcome->value());
    }
}
