#pragma once

#include <QHash>
#include <QProcess>
#include <QString>
#include <QStringList>

// Running the `aqueduct` binary (AQ_CLI_BIN) from a test as a user would: in an environment without the
// settings of the machine that runs the tests (AQUEDUCT_*, the emulator hosts, GOOGLE_CLOUD_PROJECT).
namespace TestSupport
{
    struct CliRun
    {
        int exitCode = -1;   // -1 when it crashed or was killed
        QByteArray out;
        QByteArray err;
    };

    // For failure messages.
    inline QString runText(const CliRun &run)
    {
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(run.exitCode).arg(QString::fromUtf8(run.out), QString::fromUtf8(run.err));
    }

    inline QProcessEnvironment cliEnvironment(const QHash<QString, QString> &extra = {})
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &name : env.keys()) {
            if (name.startsWith(QStringLiteral("AQUEDUCT_")))
                env.remove(name);
        }
        for (const QString &name : {QStringLiteral("PUBSUB_EMULATOR_HOST"), QStringLiteral("BIGQUERY_EMULATOR_HOST"), QStringLiteral("GOOGLE_CLOUD_PROJECT")})
            env.remove(name);
        for (auto it = extra.begin(); it != extra.end(); ++it)
            env.insert(it.key(), it.value());
        return env;
    }

    // `aqueduct ARGUMENTS...`, killed after `timeoutMs`.
    inline CliRun runCli(const QStringList &arguments, const QHash<QString, QString> &extra = {}, int timeoutMs = 60000)
    {
        QProcess process;
        process.setProcessEnvironment(cliEnvironment(extra));
        process.start(qEnvironmentVariable("AQ_CLI_BIN"), arguments);
        if (!process.waitForFinished(timeoutMs))
            process.kill();
        process.waitForFinished(5000);
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
                process.readAllStandardError()};
    }
}
