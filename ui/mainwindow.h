#pragma once

#include <memory>

#include <QMainWindow>
#include <QTimer>

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
    class LocalMetricsFeed;
    class PublishPage;
    class RowsPage;

    // The operator console: a page list on the left (Dashboard, Rows, Publish, Dead letters, Connection; Ctrl+1..5)
    // and a status bar with the backend, the connection's state, the rates and the backlog. It opens its own
    // connection to the profile's backends on the UI thread (asynchronous, like every call its pages make); the
    // pipeline runs elsewhere and is seen through its metrics.
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
        bool isConnected() const { return m_connection != nullptr; }

        DashboardPage *dashboardPage() const { return m_dashboard; }
        RowsPage *rowsPage() const { return m_rows; }
        PublishPage *publishPage() const { return m_publish; }
        DeadLettersPage *deadLettersPage() const { return m_deadLetters; }
        ConnectionPage *connectionPage() const { return m_connectionPage; }

    Q_SIGNALS:
        void connected();
        void connectionFailed(const QString &message);

    private:
        void addPage(QWidget *page, const QString &title, const QString &toolTip);
        void updateStatus();
        void applyTimeZone(bool utc);

        ConsoleContext m_context;
        std::unique_ptr<LocalMetricsFeed> m_feed;
        std::unique_ptr<Config::Connection> m_connection;
        PubSub::Publisher *m_publisher = nullptr;
        QListWidget *m_navigation;
        QStackedWidget *m_pages;
        DashboardPage *m_dashboard;
        RowsPage *m_rows;
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
