#include "app/consolecommand.h"

#include <cstdio>

#include <QApplication>
#include <QMessageBox>

#include "core/common/unixsignalwatcher.h"
#include "core/localcloud/localbackend.h"
#include "core/server/servehost.h"
#include "ui/mainwindow.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::App
{
    namespace
    {
        QString describeBackend(const Server::ServeOptions &options, const QUrl &endpoint)
        {
            if (options.profile.usesLocal())
                return QObject::tr("local cloud · %1").arg(endpoint.toString());
            return QObject::tr("%1 · project %2").arg(options.backend, options.profile.project);
        }

        int fail(const QString &message, int code)
        {
            fprintf(stderr, "aqueduct: %s\n", qPrintable(message));
            QMessageBox::critical(nullptr, QObject::tr("Aqueduct"), message);
            return code;
        }
    }

    int runConsole(int argc, char *argv[])
    {
        QApplication app(argc, argv);
        QApplication::setApplicationName(u"aqueduct"_s);
        QApplication::setOrganizationName(u"Aqueduct"_s);
        QApplication::setApplicationVersion(QStringLiteral(AQ_VERSION));
        QApplication::setApplicationDisplayName(u"Aqueduct"_s);

        QStringList arguments = QApplication::arguments();
        arguments.insert(1, u"serve"_s);
        if (!arguments.contains(u"--listen"_s) && qEnvironmentVariableIsEmpty("AQUEDUCT_LISTEN"))
            arguments << u"--listen"_s << u"127.0.0.1:0"_s;
        QString help;
        Result<Server::ServeOptions> options = Server::parseServeOptions(arguments, &help);
        if (!options) {
            if (options.error().reason == u"help"_s) {
                fputs(qPrintable(help), stdout);
                return Server::ExitOk;
            }
            fprintf(stderr, "aqueduct: %s\n", qPrintable(options.error().message));
            return Server::ExitUsage;
        }

        Server::ServeHost host(*options);
        if (const std::optional<Server::ServeHost::StartFailure> failure = host.start())
            return fail(failure->message, failure->exitCode);
        fprintf(stderr, "aqueduct: the console's local cloud is on %s\n", qPrintable(host.endpoint().toString()));

        Ui::ConsoleContext context;
        context.profile = options->profile;
        context.ingest = options->ingestSettings;
        context.local = host.localBackend();
        context.metrics = host.metrics();
        context.endpoint = host.endpoint();
        context.backendDescription = describeBackend(*options, host.endpoint());
        Ui::MainWindow window(context);
        QObject::connect(&host, &Server::ServeHost::pipelineFailed, &window, [&window](const QString &message) {
            QMessageBox::warning(&window, QObject::tr("Aqueduct"), QObject::tr("The ingest pipeline cannot start: %1").arg(message));
        });
        window.show();
        window.connectToBackends();

        // Closing the window, SIGTERM or SIGINT drain the pipeline (what it holds is stored and acknowledged) first.
        QApplication::setQuitOnLastWindowClosed(false);
        QObject::connect(&app, &QApplication::lastWindowClosed, &host, &Server::ServeHost::drain);
        UnixSignalWatcher signalWatcher;
        QObject::connect(&signalWatcher, &UnixSignalWatcher::terminationRequested, &host, [&host] { host.drain(); });
        QObject::connect(&host, &Server::ServeHost::finished, &app, &QApplication::quit);
        return QApplication::exec() == 0 ? Server::ExitOk : Server::ExitFailure;
    }
}
