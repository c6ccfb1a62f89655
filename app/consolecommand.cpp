#include "app/consolecommand.h"

#include <cstdio>
#include <optional>

#include <QApplication>
#include <QMessageBox>

#include "app/consolewindows.h"
#include "core/common/unixsignalwatcher.h"
#include "core/config/savedprofile.h"
#include "core/remote/operatorclient.h"
#include "ui/connection/remoteserverdialog.h"
#include "ui/mainwindow.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::App
{
    namespace
    {
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

        // The startup profile (Connection > Profiles), unless the command line or the environment chooses the backend.
        QString applyStartupProfile(QStringList &arguments)
        {
            const Config::ProfileStore store;
            const QString name = store.startupProfile();
            if (name.isEmpty())
                return {};
            const QString chosen = Config::backendChosenOutsideProfiles(arguments, Config::ProfileInputs::processEnvironment());
            if (!chosen.isEmpty()) {
                fprintf(stderr, "aqueduct: the startup profile \"%s\" is not used: %s chooses the backend\n", qPrintable(name), qPrintable(chosen));
                return {};
            }
            const std::optional<Config::SavedProfile> profile = store.find(name);
            if (!profile)
                return {};
            arguments << profile->toArguments();
            fprintf(stderr, "aqueduct: opening the startup profile \"%s\" (Connection > Profiles)\n", qPrintable(name));
            return name;
        }
    }

    int runConsole(int argc, char *argv[])
    {
        QApplication app(argc, argv);
        QApplication::setApplicationName(u"aqueduct"_s);
        QApplication::setOrganizationName(u"Aqueduct"_s);
        QApplication::setApplicationVersion(QStringLiteral(AQ_VERSION));
        QApplication::setApplicationDisplayName(u"Aqueduct"_s);

        ConsoleWindows windows;
        // Caught from here on (and handled once the event loop runs): SIGTERM while the host starts still drains it.
        UnixSignalWatcher signalWatcher;
        QStringList arguments = QApplication::arguments();
        if (const std::optional<QString> remote = takeRemoteArgument(arguments)) {
            // Watching a deployed server: no local cloud, no pipeline in this process.
            QObject::connect(&signalWatcher, &UnixSignalWatcher::terminationRequested, &app, &QApplication::quit);
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
                windows.openRemote(*url, key);
            } else {
                auto *dialog = new Ui::RemoteServerDialog;
                dialog->setAttribute(Qt::WA_DeleteOnClose);
                dialog->setServer(url->toString());
                QObject::connect(dialog, &Ui::RemoteServerDialog::serverChosen, &windows, &ConsoleWindows::openRemote);
                dialog->show();
            }
            return QApplication::exec() == 0 ? Server::ExitOk : Server::ExitFailure;
        }
        const bool wantsHelp = arguments.contains(u"--help"_s) || arguments.contains(u"-h"_s);
        const QString profileName = wantsHelp ? QString() : applyStartupProfile(arguments);
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

        Server::ServeHost::StartFailure failure;
        Ui::MainWindow *window = windows.openLocal(*options, profileName, &failure);
        if (!window)
            return fail(failure.message, failure.exitCode);
        fprintf(stderr, "aqueduct: the console's local cloud is on %s\n", qPrintable(windows.hostOf(window)->endpoint().toString()));

        // Closing the last window, SIGTERM or SIGINT drain the pipelines (what they hold is stored and acknowledged) first.
        QApplication::setQuitOnLastWindowClosed(false);
        QObject::connect(&app, &QApplication::lastWindowClosed, &windows, &ConsoleWindows::closeAll);
        QObject::connect(&signalWatcher, &UnixSignalWatcher::terminationRequested, &windows, &ConsoleWindows::closeAll);
        QObject::connect(&windows, &ConsoleWindows::drained, &app, &QApplication::quit);
        return QApplication::exec() == 0 ? Server::ExitOk : Server::ExitFailure;
    }
}
