#pragma once

#include <memory>

#include <QMainWindow>
#include <QTimer>

#include "core/config/savedprofile.h"
#include "ui/consolecontext.h"

class QLabel;
class QListWidget;
class QStackedWidget;

namespace Aq::Config
{
    class Connection;
}

namespace Aq::PubSub
{
    class Publisher;
}

namespace Aq::Ui
{
    class ConnectionPage;
    class DashboardPage;
    class DeadLettersPage;
    class MetricsFeed;
    class PublishPage;
    class RemoteEventsPage;
    class RemoteMetricsFeed;
    class RowsPage;

    // The operator console: a page list on the left (Dashboard, Rows, Publish, Dead letters, Connection; Ctrl+1..5),
    // a menu bar with every action and its shortcut, and a status bar with the backend, the connection's state, the
    // rates and the backlog. It opens its own connection to the profile's backends on the UI thread (asynchronous,
    // like every call its pages make); the pipeline runs elsewhere and is seen through its metrics. A window on a
    // remote `aqueduct serve` (ConsoleContext::remote) shows the same pages through that server's API instead.
    class MainWindow final : public QMainWindow
    {
        Q_OBJECT

    public:
        enum class Page
        {
            Dashboard,
            Rows,
            Publish,
            DeadLetters,
            Connection,
        };

        explicit MainWindow(const ConsoleContext &context, QWidget *parent = nullptr);
        ~MainWindow() override;

        // Opens the connection; connected() or connectionFailed() follows.
        void connectToBackends();
        void showPage(Page page);
        Page currentPage() const;
        bool isConnected() const { return m_connected; }
        bool isRemote() const { return m_context.remote != nullptr; }

        DashboardPage *dashboardPage() const { return m_dashboard; }
        RowsPage *rowsPage() const { return m_rows; }                           // null on a remote server
        RemoteEventsPage *remoteEventsPage() const { return m_remoteEvents; }   // null unless on a remote server
        PublishPage *publishPage() const { return m_publish; }
        DeadLettersPage *deadLettersPage() const { return m_deadLetters; }
        ConnectionPage *connectionPage() const { return m_connectionPage; }

    Q_SIGNALS:
        void connected();
        void connectionFailed(const QString &message);
        // File > Watch a remote server…: the operator gave a server's URL and API key (empty: none).
        void remoteServerRequested(const QUrl &url, const QByteArray &apiKey);
        // Connection > Profiles > Open in a new window: run that profile's pipeline in a window of its own.
        void profileWindowRequested(const Config::SavedProfile &profile);

    private:
        void addPage(QWidget *page, const QString &title, const QString &toolTip);
        void createMenus();
        void connectToRemote();
        void updateStatus();
        void applyTimeZone(bool utc);
        void showShortcuts();
        void askForRemoteServer();

        ConsoleContext m_context;
        std::unique_ptr<MetricsFeed> m_feed;
        RemoteMetricsFeed *m_remoteFeed = nullptr;
        bool m_connected = false;
        std::unique_ptr<Config::Connection> m_connection;
        PubSub::Publisher *m_publisher = nullptr;
        QListWidget *m_navigation;
        QStackedWidget *m_pages;
        DashboardPage *m_dashboard;
        RowsPage *m_rows = nullptr;
        RemoteEventsPage *m_remoteEvents = nullptr;
        PublishPage *m_publish;
        DeadLettersPage *m_deadLetters;
        ConnectionPage *m_connectionPage;
        QLabel *m_backendLabel;
        QLabel *m_stateLabel;
        QLabel *m_ratesLabel;
        QLabel *m_backlogLabel;
        QTimer m_statusTimer;
    };
}
