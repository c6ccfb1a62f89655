#include "app/consolewindows.h"

#include <memory>

#include <QCoreApplication>
#include <QMessageBox>

#include "core/localcloud/localbackend.h"
#include "core/remote/operatorclient.h"
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
    }

    ConsoleWindows::ConsoleWindows(QObject *parent)
        : QObject(parent)
    {
    }

    // Normally empty by now (drained() came first); else the windows go before their hosts.
    ConsoleWindows::~ConsoleWindows()
    {
        for (const Entry &entry : std::as_const(m_hosts)) {
            delete entry.window.data();
            delete entry.host;
        }
    }

    Ui::MainWindow *ConsoleWindows::openLocal(const Server::ServeOptions &options, const QString &profileName,
                                              Server::ServeHost::StartFailure *failure)
    {
        auto owned = std::make_unique<Server::ServeHost>(options);
        if (std::optional<Server::ServeHost::StartFailure> failed = owned->start()) {
            *failure = std::move(*failed);
            return nullptr;
        }
        Server::ServeHost *host = owned.release();

        Ui::ConsoleContext context;
        context.profile = options.profile;
        context.ingest = options.ingestSettings;
        context.local = host->localBackend();
        context.metrics = host->metrics();
        context.endpoint = host->endpoint();
        context.profileName = profileName;
        context.backendDescription = describeBackend(options, host->endpoint());
        auto *window = new Ui::MainWindow(context);
        m_hosts.append({host, window});
        connect(host, &Server::ServeHost::pipelineFailed, window, [window](const QString &message) {
            QMessageBox::warning(window, tr("Aqueduct"), tr("The ingest pipeline cannot start: %1").arg(message));
        });
        connect(window, &QObject::destroyed, host, &Server::ServeHost::drain);
        connect(host, &Server::ServeHost::finished, this, [this, host] {
            for (const Entry &entry : std::as_const(m_hosts)) {
                if (entry.host == host)
                    delete entry.window.data();   // it shows the host's metrics and reaches its local cloud
            }
            m_hosts.removeIf([host](const Entry &entry) { return entry.host == host; });
            host->deleteLater();
            finishWhenDrained();
        });
        watch(window);
        return window;
    }

    Result<Ui::MainWindow *> ConsoleWindows::openProfile(const Config::SavedProfile &profile)
    {
        QStringList arguments {QCoreApplication::applicationFilePath(), u"serve"_s};
        arguments << profile.toArguments() << u"--listen"_s << u"127.0.0.1:0"_s;
        const Result<Server::ServeOptions> options = Server::parseServeOptions(arguments);
        if (!options)
            return ApiError::invalidArgument(tr("The profile \"%1\" cannot open: %2").arg(profile.name, options.error().message));
        Server::ServeHost::StartFailure failure;
        Ui::MainWindow *window = openLocal(*options, profile.name, &failure);
        if (!window)
            return ApiError::failedPrecondition(tr("The profile \"%1\" cannot open: %2").arg(profile.name, failure.message));
        return window;
    }

    Ui::MainWindow *ConsoleWindows::openRemote(const QUrl &url, const QByteArray &apiKey)
    {
        Ui::ConsoleContext context;
        auto *client = new Remote::OperatorClient(url, apiKey);
        context.remote = client;
        context.endpoint = url;
        context.backendDescription = apiKey.isEmpty() ? tr("none sent") : tr("sent as a bearer token (not shown)");
        auto *window = new Ui::MainWindow(context);
        client->setParent(window);   // after the window: its pages hold the client until they go
        watch(window);
        return window;
    }

    void ConsoleWindows::watch(Ui::MainWindow *window)
    {
        window->setAttribute(Qt::WA_DeleteOnClose);
        connect(window, &Ui::MainWindow::remoteServerRequested, this, &ConsoleWindows::openRemote);
        connect(window, &Ui::MainWindow::profileWindowRequested, this, [this, window](const Config::SavedProfile &profile) {
            const Result<Ui::MainWindow *> opened = openProfile(profile);
            if (!opened)
                QMessageBox::warning(window, tr("Aqueduct"), opened.error().message);
        });
        window->show();
        window->connectToBackends();
    }

    Server::ServeHost *ConsoleWindows::hostOf(const Ui::MainWindow *window) const
    {
        for (const Entry &entry : m_hosts) {
            if (entry.window == window)
                return entry.host;
        }
        return nullptr;
    }

    void ConsoleWindows::closeAll()
    {
        m_closing = true;
        const QList<Entry> hosts = m_hosts;
        for (const Entry &entry : hosts)
            entry.host->drain();
        finishWhenDrained();
    }

    void ConsoleWindows::finishWhenDrained()
    {
        if (m_closing && m_hosts.isEmpty())
            emit drained();
    }
}
