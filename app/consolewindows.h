#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include "core/common/result.h"
#include "core/config/savedprofile.h"
#include "core/server/servehost.h"

namespace Aq::Ui
{
    class MainWindow;
}

namespace Aq::App
{
    // The console's windows and the ServeHosts behind them: the first window's host, one per profile opened in a
    // window of its own (Connection > Profiles), and windows on remote servers, which have none. Each window
    // deletes itself when closed and its host then drains (what its pipeline holds is stored and acknowledged).
    // closeAll() (the last window closed, SIGTERM) drains every host; drained() follows once none is left. A window
    // whose host finished first (SIGTERM) closes before the host goes.
    class ConsoleWindows final : public QObject
    {
        Q_OBJECT

    public:
        explicit ConsoleWindows(QObject *parent = nullptr);
        ~ConsoleWindows() override;

        // A host for `options` and its window, shown and connecting; null when the host cannot start.
        Ui::MainWindow *openLocal(const Server::ServeOptions &options, const QString &profileName, Server::ServeHost::StartFailure *failure);
        // The same for a saved profile, on a free loopback port.
        Result<Ui::MainWindow *> openProfile(const Config::SavedProfile &profile);
        // A window on a remote `aqueduct serve`.
        Ui::MainWindow *openRemote(const QUrl &url, const QByteArray &apiKey);

        void closeAll();
        qsizetype hostCount() const { return m_hosts.size(); }
        Server::ServeHost *hostOf(const Ui::MainWindow *window) const;

    Q_SIGNALS:
        void drained();

    private:
        void watch(Ui::MainWindow *window);
        void finishWhenDrained();

        struct Entry
        {
            Server::ServeHost *host;
            QPointer<Ui::MainWindow> window;
        };
        QList<Entry> m_hosts;
        bool m_closing = false;
    };
}
