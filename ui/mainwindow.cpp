#include "ui/mainwindow.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QShortcut>
#include <QMenuBar>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

#include "core/config/connection.h"
#include "core/metrics/pipelinemetrics.h"
#include "core/pubsub/publisher.h"
#include "core/remote/operatorclient.h"
#include "ui/connection/connectionpage.h"
#include "ui/connection/remoteserverdialog.h"
#include "ui/shortcutsdialog.h"
#include "ui/dashboard/dashboardpage.h"
#include "ui/dashboard/metricsfeed.h"
#include "ui/dashboard/remotemetricsfeed.h"
#include "ui/deadletters/deadletterspage.h"
#include "ui/publish/publishpage.h"
#include "ui/remote/remoteeventspage.h"
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

        std::unique_ptr<MetricsFeed> feedFor(const ConsoleContext &context)
        {
            if (context.remote)
                return std::make_unique<RemoteMetricsFeed>(context.remote);
            return std::make_unique<LocalMetricsFeed>(context.metrics);
        }

        PubSub::PublisherSettings consolePublisherSettings()
        {
            PubSub::PublisherSettings settings;
            settings.maxOutstandingMessages = 20'000;
            settings.maxOutstandingBytes = 100 * 1024 * 1024;
            return settings;
        }
    }

    MainWindow::MainWindow(const ConsoleContext &context, QWidget *parent)
        : QMainWindow(parent)
        , m_context {context}
        , m_feed {feedFor(context)}
        , m_navigation {new QListWidget(this)}
        , m_pages {new QStackedWidget(this)}
        , m_backendLabel {new QLabel(this)}
        , m_stateLabel {new QLabel(this)}
        , m_ratesLabel {new QLabel(this)}
        , m_backlogLabel {new QLabel(this)}
    {
        if (context.remote)
            setWindowTitle(tr("Aqueduct — %1").arg(context.endpoint.toString()));
        else if (!context.profileName.isEmpty())
            setWindowTitle(tr("Aqueduct — %1 — %2.%3").arg(context.profileName, context.ingest.dataset, context.ingest.table));
        else
            setWindowTitle(tr("Aqueduct — %1.%2").arg(context.ingest.dataset, context.ingest.table));
        m_remoteFeed = dynamic_cast<RemoteMetricsFeed *>(m_feed.get());
        const Pipeline::RowConverter converter(context.ingest.schema, context.ingest.conversion);
        m_dashboard = new DashboardPage(m_feed.get(), this);
        QWidget *rows;
        if (context.remote)
            rows = m_remoteEvents = new RemoteEventsPage(this);
        else
            rows = m_rows = new RowsPage(nullptr, rowsTableOf(context), this);
        m_publish = new PublishPage(converter, this);
        const QString errorTable = u"`%1.%2.%3`"_s.arg(context.profile.project, context.ingest.dataset, context.ingest.errorTable);
        m_deadLetters = new DeadLettersPage(converter, errorTable, this);
        m_connectionPage = new ConnectionPage(context, this);
        addPage(m_dashboard, tr("Dashboard"), tr("Live ingest throughput, latency and backlog (Ctrl+1)"));
        addPage(rows, tr("Rows"), tr("Browse the table, newest first (Ctrl+2)"));
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
        auto *central = new QWidget(this);
        auto *layout = new QHBoxLayout(central);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(m_navigation);
        layout->addWidget(m_pages, 1);
        setCentralWidget(central);
        m_navigation->setCurrentRow(int(Page::Dashboard));
        createMenus();

        m_backendLabel->setText(context.remote ? tr("remote server") : context.backendDescription);
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
        if (m_remoteFeed)
            connect(m_remoteFeed, &RemoteMetricsFeed::updated, this, &MainWindow::updateStatus);
        else
            connect(m_publish, &PublishPage::runRecorded, m_deadLetters, &DeadLettersPage::addRecordedRun);
        connect(m_connectionPage, &ConnectionPage::timeZoneChanged, this, &MainWindow::applyTimeZone);
        connect(m_connectionPage, &ConnectionPage::remoteServerWanted, this, &MainWindow::askForRemoteServer);
        connect(m_connectionPage, &ConnectionPage::profileOpenRequested, this, &MainWindow::profileWindowRequested);
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

    void MainWindow::createMenus()
    {
        const auto add = [this](QMenu *menu, const QString &text, const QKeySequence &keys, auto slot) {
            QAction *action = menu->addAction(text);
            action->setShortcut(keys);
            connect(action, &QAction::triggered, this, slot);
            return action;
        };
        QMenu *file = menuBar()->addMenu(tr("&File"));
        add(file, tr("&Watch a remote server…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), &MainWindow::askForRemoteServer);
        file->addSeparator();
        add(file, tr("&Close window"), QKeySequence::Close, &QWidget::close);
        add(file, tr("&Quit"), QKeySequence::Quit, [] { QApplication::closeAllWindows(); });

        QMenu *go = menuBar()->addMenu(tr("&Go"));
        for (int i = 0; i < m_navigation->count(); ++i)
            add(go, m_navigation->item(i)->text(), QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), [this, i] { m_navigation->setCurrentRow(i); });

        QMenu *view = menuBar()->addMenu(tr("&View"));
        for (QAction *action : m_dashboard->windowActions()) {
            view->addAction(action);
            connect(action, &QAction::triggered, this, [this] { showPage(Page::Dashboard); });
        }
        view->addSeparator();
        QAction *utc = add(view, tr("Times in &UTC"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U), [this](bool checked) {
            m_connectionPage->setUtc(checked);
        });
        utc->setCheckable(true);
        utc->setChecked(QSettings().value(u"Display/UTC"_s, true).toBool());
        connect(m_connectionPage, &ConnectionPage::timeZoneChanged, utc, &QAction::setChecked);

        QMenu *help = menuBar()->addMenu(tr("&Help"));
        add(help, tr("&Keyboard shortcuts"), QKeySequence::HelpContents, &MainWindow::showShortcuts);
        add(help, tr("&About Aqueduct"), QKeySequence(), [this] {
            QMessageBox::about(this, tr("About Aqueduct"),
                               tr("<b>Aqueduct %1</b><br>Publishes test events, ingests Pub/Sub into BigQuery, serves the rows, and shows it all.<br>Qt %2")
                                   .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
        });
    }

    void MainWindow::showShortcuts()
    {
        // Every action of the menus and the pages, with its keys: read from the widgets, so the list cannot go stale.
        QList<ShortcutsDialog::Entry> entries;
        const auto collect = [&entries](const QList<QAction *> &actions, const QString &where) {
            for (QAction *action : actions) {
                if (!action->shortcut().isEmpty())
                    entries.append({where + action->text().remove(u'&'), action->shortcut().toString(QKeySequence::NativeText)});
            }
        };
        for (QAction *menu : menuBar()->actions())
            collect(menu->menu()->actions(), menu->text().remove(u'&') + u" › "_s);
        for (QWidget *page : {static_cast<QWidget *>(m_rows), static_cast<QWidget *>(m_publish), static_cast<QWidget *>(m_deadLetters)}) {
            if (page)
                collect(page->findChildren<QAction *>(), m_navigation->item(m_pages->indexOf(page))->text() + u" › "_s);
        }
        for (QShortcut *shortcut : findChildren<QShortcut *>()) {
            QWidget *page = shortcut->parentWidget();
            while (page && m_pages->indexOf(page) < 0)
                page = page->parentWidget();
            const QString where = page ? m_navigation->item(m_pages->indexOf(page))->text() + u" › "_s : QString();
            const QString what = shortcut->whatsThis().isEmpty() ? shortcut->objectName() : shortcut->whatsThis();
            if (!what.isEmpty())
                entries.append({where + what, shortcut->key().toString(QKeySequence::NativeText)});
        }
        for (int index = 0; index < m_pages->count(); ++index) {
            const QString where = m_navigation->item(index)->text() + u" › "_s;
            for (QAbstractButton *button : m_pages->widget(index)->findChildren<QAbstractButton *>()) {
                const ShortcutsDialog::Entry entry {where + button->text().remove(u'&'), button->shortcut().toString(QKeySequence::NativeText)};
                if (!button->shortcut().isEmpty() && !entries.contains(entry))
                    entries.append(entry);
            }
        }
        ShortcutsDialog(entries, this).exec();
    }

    void MainWindow::askForRemoteServer()
    {
        auto *dialog = new RemoteServerDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &RemoteServerDialog::serverChosen, this, &MainWindow::remoteServerRequested);
        dialog->open();
    }

    void MainWindow::connectToRemote()
    {
        Remote::OperatorClient *client = m_context.remote;
        client->stats(this, [this, client](Result<QJsonObject> stats) {
            if (!stats) {
                m_stateLabel->setText(tr("not connected: %1").arg(stats.error().message));
                emit connectionFailed(stats.error().message);
                return;
            }
            m_publisher = new PubSub::Publisher(client->publishSender(true), client->baseUrl().toString() + u"/publish"_s, consolePublisherSettings(), this);
            auto *redrive = new PubSub::Publisher(client->redriveSender(), client->baseUrl().toString() + u"/dead-letters/redrive"_s, consolePublisherSettings(), this);
            m_remoteEvents->setClient(client);
            m_publish->setPublisher(m_publisher);
            m_deadLetters->setRemoteClients(client, redrive);
            m_connectionPage->setRemoteClient(client);
            m_connected = true;
            m_stateLabel->setText(tr("watching %1").arg(client->baseUrl().toString()));
            emit connected();
        });
    }

    void MainWindow::connectToBackends()
    {
        if (m_context.remote)
            return connectToRemote();
        Config::Connection::open(m_context.profile, m_context.local, this, [this](Result<std::unique_ptr<Config::Connection>> connection) {
            if (!connection) {
                m_stateLabel->setText(tr("not connected: %1").arg(connection.error().message));
                emit connectionFailed(connection.error().message);
                return;
            }
            m_connection = std::move(*connection);
            m_publisher = new PubSub::Publisher(m_connection->pubsub(), m_context.ingest.topic, consolePublisherSettings(), this);
            m_rows->setClient(m_connection->bigquery());
            m_publish->setPublisher(m_publisher);
            m_deadLetters->setClients(m_connection->bigquery(), m_publisher);
            m_deadLetters->setReconcileClients(m_connection->bigquery(), m_connection->pubsub(), m_context.ingest);
            m_connectionPage->setClients(m_connection->pubsub(), m_connection->bigquery());
            m_connected = true;
            m_stateLabel->setText(tr("connected"));
            emit connected();
        });
    }

    void MainWindow::updateStatus()
    {
        if (isMinimized())
            return;
        if (m_remoteFeed && !m_remoteFeed->lastError().isEmpty())
            m_stateLabel->setText(tr("the server does not answer: %1").arg(m_remoteFeed->lastError()));
        else if (m_remoteFeed && m_connected)
            m_stateLabel->setText(tr("watching %1").arg(m_context.endpoint.toString()));
        const Metrics::Snapshot snapshot = m_feed->snapshot();
        m_ratesLabel->setText(tr("published %1/s · inserted %2/s · dead-lettered %3/s")
                                  .arg(rate(snapshot.rate(Metrics::Stage::Published)), rate(snapshot.rate(Metrics::Stage::Inserted)),
                                       rate(snapshot.rate(Metrics::Stage::DeadLettered))));
        m_backlogLabel->setText(snapshot.backlog >= 0 ? tr("backlog %L1").arg(snapshot.backlog) : tr("backlog unknown"));
    }

    void MainWindow::applyTimeZone(bool utc)
    {
        const TimeDisplay display = utc ? TimeDisplay::Utc : TimeDisplay::Local;
        if (m_rows)
            m_rows->setTimeDisplay(display);
        if (m_remoteEvents)
            m_remoteEvents->setTimeDisplay(display);
        m_deadLetters->setTimeDisplay(display);
        m_dashboard->setTimeSpec(utc ? Qt::UTC : Qt::LocalTime);
    }
}
