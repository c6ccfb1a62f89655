#include "ui/mainwindow.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSettings>
#include <QShortcut>
#include <QStackedWidget>
#include <QStatusBar>

#include "core/config/connection.h"
#include "core/metrics/pipelinemetrics.h"
#include "core/pubsub/publisher.h"
#include "ui/connection/connectionpage.h"
#include "ui/dashboard/dashboardpage.h"
#include "ui/dashboard/metricsfeed.h"
#include "ui/deadletters/deadletterspage.h"
#include "ui/publish/publishpage.h"
#include "ui/rows/rowspage.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    namespace
    {
        constexpr auto StatusInterval = std::chrono::seconds(1);

        RowsTable rowsTableOf(const ConsoleContext &context)
        {
            RowsTable table;
            table.project = context.profile.project;
            table.dataset = context.ingest.dataset;
            table.table = context.ingest.table;
            table.schema = context.ingest.schema;
            table.keyColumn = context.ingest.conversion.keyColumn;
            return table;
        }

        QString rate(double perSecond)
        {
            return perSecond >= 100 ? QString::number(perSecond, 'f', 0) : QString::number(perSecond, 'f', 1);
        }
    }

    MainWindow::MainWindow(const ConsoleContext &context, QWidget *parent)
        : QMainWindow(parent)
        , m_context {context}
        , m_feed {std::make_unique<LocalMetricsFeed>(context.metrics)}
        , m_navigation {new QListWidget(this)}
        , m_pages {new QStackedWidget(this)}
        , m_backendLabel {new QLabel(this)}
        , m_stateLabel {new QLabel(this)}
        , m_ratesLabel {new QLabel(this)}
        , m_backlogLabel {new QLabel(this)}
    {
        setWindowTitle(tr("Aqueduct — %1.%2").arg(context.ingest.dataset, context.ingest.table));
        const Pipeline::RowConverter converter(context.ingest.schema, context.ingest.conversion);
        m_dashboard = new DashboardPage(m_feed.get(), this);
        m_rows = new RowsPage(nullptr, rowsTableOf(context), this);
        m_publish = new PublishPage(converter, this);
        const QString errorTable = u"`%1.%2.%3`"_s.arg(context.profile.project, context.ingest.dataset, context.ingest.errorTable);
        m_deadLetters = new DeadLettersPage(converter, errorTable, this);
        m_connectionPage = new ConnectionPage(context, this);
        addPage(m_dashboard, tr("Dashboard"), tr("Live ingest throughput, latency and backlog (Ctrl+1)"));
        addPage(m_rows, tr("Rows"), tr("Browse the table, newest first (Ctrl+2)"));
        addPage(m_publish, tr("Publish"), tr("Publish test events (Ctrl+3)"));
        addPage(m_deadLetters, tr("Dead letters"), tr("The error table: fix and redrive (Ctrl+4)"));
        addPage(m_connectionPage, tr("Connection"), tr("Backend, resources and settings (Ctrl+5)"));

        m_navigation->setFixedWidth(170);
        m_navigation->setFrameShape(QFrame::NoFrame);
        m_navigation->setSpacing(2);
        QFont navigationFont = m_navigation->font();
        navigationFont.setPointSizeF(navigationFont.pointSizeF() * 1.1);
        m_navigation->setFont(navigationFont);
        connect(m_navigation, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
        for (int i = 0; i < m_navigation->count(); ++i) {
            auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this);
            connect(shortcut, &QShortcut::activated, this, [this, i] { m_navigation->setCurrentRow(i); });
        }
        auto *central = new QWidget(this);
        auto *layout = new QHBoxLayout(central);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(m_navigation);
        layout->addWidget(m_pages, 1);
        setCentralWidget(central);
        m_navigation->setCurrentRow(int(Page::Dashboard));

        m_backendLabel->setText(context.backendDescription);
        m_stateLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        statusBar()->addWidget(m_backendLabel);
        statusBar()->addWidget(m_stateLabel, 1);
        statusBar()->addPermanentWidget(m_ratesLabel);
        statusBar()->addPermanentWidget(m_backlogLabel);
        m_stateLabel->setText(tr("connecting…"));
        m_statusTimer.setInterval(StatusInterval);
        connect(&m_statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
        m_statusTimer.start();
        updateStatus();

        if (Metrics::PipelineMetrics *metrics = context.metrics)
            connect(m_publish, &PublishPage::eventPublished, this, [metrics] { metrics->add(Metrics::Stage::Published); });
        connect(m_connectionPage, &ConnectionPage::timeZoneChanged, this, &MainWindow::applyTimeZone);
        applyTimeZone(QSettings().value(u"Display/UTC"_s, true).toBool());
        resize(1280, 800);
    }

    MainWindow::~MainWindow()
    {
        // Pages hold pointers to the clients: they go first.
        delete m_pages;
        m_pages = nullptr;
    }

    void MainWindow::addPage(QWidget *page, const QString &title, const QString &toolTip)
    {
        m_pages->addWidget(page);
        auto *item = new QListWidgetItem(title, m_navigation);
        item->setToolTip(toolTip);
        item->setSizeHint(QSize(0, 36));
    }

    void MainWindow::showPage(Page page)
    {
        m_navigation->setCurrentRow(int(page));
    }

    MainWindow::Page MainWindow::currentPage() const
    {
        return Page(m_pages->currentIndex());
    }

    void MainWindow::connectToBackends()
    {
        Config::Connection::open(m_context.profile, m_context.local, this, [this](Result<std::unique_ptr<Config::Connection>> connection) {
            if (!connection) {
                m_stateLabel->setText(tr("not connected: %1").arg(connection.error().message));
                emit connectionFailed(connection.error().message);
                return;
            }
            m_connection = std::move(*connection);
            PubSub::PublisherSettings settings;
            settings.maxOutstandingMessages = 20'000;
            settings.maxOutstandingBytes = 100 * 1024 * 1024;
            m_publisher = new PubSub::Publisher(m_connection->pubsub(), m_context.ingest.topic, settings, this);
            m_rows->setClient(m_connection->bigquery());
            m_publish->setPublisher(m_publisher);
            m_deadLetters->setClients(m_connection->bigquery(), m_publisher);
            m_connectionPage->setClients(m_connection->pubsub(), m_connection->bigquery());
            m_stateLabel->setText(tr("connected"));
            emit connected();
        });
    }

    void MainWindow::updateStatus()
    {
        if (isMinimized())
            return;
        const Metrics::Snapshot snapshot = m_feed->snapshot();
        m_ratesLabel->setText(tr("published %1/s · inserted %2/s · dead-lettered %3/s")
                                  .arg(rate(snapshot.rate(Metrics::Stage::Published)), rate(snapshot.rate(Metrics::Stage::Inserted)),
                                       rate(snapshot.rate(Metrics::Stage::DeadLettered))));
        m_backlogLabel->setText(snapshot.backlog >= 0 ? tr("backlog %L1").arg(snapshot.backlog) : tr("backlog unknown"));
    }

    void MainWindow::applyTimeZone(bool utc)
    {
        m_rows->setTimeDisplay(utc ? TimeDisplay::Utc : TimeDisplay::Local);
        m_dashboard->setTimeSpec(utc ? Qt::UTC : Qt::LocalTime);
    }
}
