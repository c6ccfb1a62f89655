#include "app/consolecommand.h"

#include <cstdio>
#include <optional>

#include <QApplication>
#include <QMessageBox>

#include "core/common/unixsignalwatcher.h"
#include "core/localcloud/localbackend.h"
#include "core/remote/operatorclient.h"
#include "core/server/servehost.h"
#include "ui/connection/remoteserverdialog.h"
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

        // `--remote URL` (or `--remote=URL`) out of the arguments: the console then watches that server.
        std::optional<QString> takeRemoteArgument(QStringList &arguments)
        {
            for (qsizetype i = 1; i < arguments.size(); ++i) {
                if (arguments[i] == u"--remote"_s && i + 1 < arguments.size()) {
                    const QString url = arguments[i + 1];
                    arguments.remove(i, 2);
                    return url;
                }
                if (arguments[i].startsWith(u"--remote="_s)) {
                    const QString url = arguments[i].mid(9);
                    arguments.remove(i);
                    return url;
                }
            }
            return std::nullopt;
        }
    }

    // A window on a remote `aqueduct serve`; it deletes itself, and its client, when closed.
    static void openRemoteWindow(const QUrl &url, const QByteArray &apiKey)
    {
        Ui::ConsoleContext context;
        auto *client = new Remote::OperatorClient(url, apiKey);
        context.remote = client;
        context.endpoint = url;
        context.backendDescription = apiKey.isEmpty() ? QObject::tr("none sent") : QObject::tr("sent as a bearer token (not shown)");
        auto *window = new Ui::MainWindow(context);
        window->setAttribute(Qt::WA_DeleteOnClose);
        client->setParent(window);   // after the window: its pages hold the client until they go
        QObject::connect(window, &Ui::MainWindow::remoteServerRequested, &openRemoteWindow);
        window->show();
        window->connectToBackends();
    }

    int runConsole(int argc, char *argv[])
    {
        QApplication app(argc, argv);
        QApplication::setApplicationName(u"aqueduct"_s);
        QApplication::setOrganizationName(u"Aqueduct"_s);
        QApplication::setApplicationVersion(QStringLiteral(AQ_VERSION));
        QApplication::setApplicationDisplayName(u"Aqueduct"_s);

        QStringList arguments = QApplication::arguments();
        if (const std::optional<QString> remote = takeRemoteArgument(arguments)) {
            // Watching a deployed server: no local cloud, no pipeline in this process.
            if (arguments.size() > 1) {
                fprintf(stderr, "aqueduct: --remote takes no other flags (the key comes from AQUEDUCT_API_KEY or the dialog): %s\n",
                        qPrintable(arguments.mid(1).join(u' ')));
                return Server::ExitUsage;
            }
            const Result<QUrl> url = Remote::OperatorClient::normalizeBaseUrl(*remote);
            if (!url) {
                fprintf(stderr, "aqueduct: --remote: %s\n", qPrintable(url.error().message));
                return Server::ExitUsage;
            }
            const QByteArray key = qgetenv("AQUEDUCT_API_KEY");
            if (!key.isEmpty()) {
                openRemoteWindow(*url, key);
            } else {
                auto *dialog = new Ui::RemoteServerDialog;
                dialog->setAttribute(Qt::WA_DeleteOnClose);
                dialog->setServer(url->toString());
                QObject::connect(dialog, &Ui::RemoteServerDialog::serverChosen, &openRemoteWindow);
                dialog->show();
            }
            return QApplication::exec() == 0 ? Server::ExitOk : Server::ExitFailure;
        }
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
        QObject::connect(&window, &Ui::MainWindow::remoteServerRequested, &openRemoteWindow);
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
