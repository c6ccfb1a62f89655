#include "ui/remote/remoteeventspage.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QTimeZone>
#include <QVBoxLayout>

#include "core/common/timeutil.h"
#include "core/remote/operatorclient.h"
#include "ui/remote/remoteeventsexporter.h"
#include "ui/remote/remoteeventsmodel.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    RemoteEventsPage::RemoteEventsPage(QWidget *parent)
        : QWidget(parent)
        , m_model {new RemoteEventsModel(this)}
        , m_view {new QTableView(this)}
        , m_eventType {new QLineEdit(this)}
        , m_userId {new QLineEdit(this)}
        , m_since {new QLineEdit(this)}
        , m_until {new QLineEdit(this)}
        , m_detail {new QPlainTextEdit(this)}
        , m_status {new QLabel(this)}
        , m_export {new QPushButton(tr("Export…"), this)}
        , m_progress {new QProgressBar(this)}
        , m_cancelExport {new QPushButton(tr("Cancel export"), this)}
    {
        m_eventType->setPlaceholderText(tr("event_type"));
        m_userId->setPlaceholderText(tr("user_id"));
        m_since->setPlaceholderText(tr("since (15m, 2024-05-01 12:00)"));
        m_until->setPlaceholderText(tr("until"));
        auto *apply = new QPushButton(tr("Apply"), this);
        apply->setToolTip(tr("Apply the filters (Enter)"));
        auto *reload = new QPushButton(tr("Reload"), this);
        reload->setToolTip(tr("Load the newest events again (F5)"));
        auto *filters = new QHBoxLayout;
        for (QLineEdit *field : {m_eventType, m_userId, m_since, m_until}) {
            field->setClearButtonEnabled(true);
            filters->addWidget(field, 1);
            connect(field, &QLineEdit::returnPressed, this, &RemoteEventsPage::applyFilters);
        }
        filters->addWidget(apply);
        filters->addWidget(reload);
        filters->addWidget(m_export);
        m_export->setToolTip(tr("Write every event the filters match to a CSV or JSON file (Ctrl+E)"));
        m_export->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
        m_progress->setRange(0, 0);   // the server does not say how many match: a busy bar, and the count in its text
        m_progress->setTextVisible(true);
        m_progress->setVisible(false);
        m_cancelExport->setVisible(false);

        m_view->setModel(m_model);
        m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
        m_view->setAlternatingRowColors(true);
        m_view->verticalHeader()->hide();
        m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
        m_view->horizontalHeader()->setStretchLastSection(true);
        m_view->setWordWrap(false);
        m_detail->setReadOnly(true);
        m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        m_detail->setPlaceholderText(tr("Select an event to see it whole."));
        m_status->setWordWrap(true);
        m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

        auto *splitter = new QSplitter(Qt::Horizontal, this);
        splitter->addWidget(m_view);
        splitter->addWidget(m_detail);
        splitter->setStretchFactor(0, 3);
        splitter->setStretchFactor(1, 1);
        auto *layout = new QVBoxLayout(this);
        layout->addLayout(filters);
        layout->addWidget(splitter, 1);
        auto *status = new QHBoxLayout;
        status->addWidget(m_status, 1);
        status->addWidget(m_progress);
        status->addWidget(m_cancelExport);
        layout->addLayout(status);
        connect(m_export, &QPushButton::clicked, this, &RemoteEventsPage::chooseExportFile);
        connect(m_cancelExport, &QPushButton::clicked, this, &RemoteEventsPage::cancelExport);

        connect(apply, &QPushButton::clicked, this, &RemoteEventsPage::applyFilters);
        connect(reload, &QPushButton::clicked, m_model, &RemoteEventsModel::reload);
        auto *reloadShortcut = new QShortcut(QKeySequence(Qt::Key_F5), this);
        reloadShortcut->setWhatsThis(tr("Load the newest events again"));
        connect(reloadShortcut, &QShortcut::activated, m_model, &RemoteEventsModel::reload);
        auto *findShortcut = new QShortcut(QKeySequence::Find, this);
        findShortcut->setWhatsThis(tr("Go to the filters"));
        connect(findShortcut, &QShortcut::activated, this, [this] { m_eventType->setFocus(); });
        auto *copy = new QShortcut(QKeySequence::Copy, m_view);
        copy->setWhatsThis(tr("Copy the selected events as JSON lines"));
        copy->setContext(Qt::WidgetShortcut);
        connect(copy, &QShortcut::activated, this, &RemoteEventsPage::copySelection);
        connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &RemoteEventsPage::showCurrent);
        connect(m_model, &RemoteEventsModel::loaded, this, [this](int rows, bool more) {
            m_status->setText(more ? tr("%L1 events, newest first; scroll down for older ones.").arg(rows)
                                   : (rows >= RemoteEventsModel::MaxRows ? tr("%L1 events, newest first: the most this view holds; narrow the filters to go further back.").arg(rows)
                                                                          : tr("%L1 events, newest first: all that match.").arg(rows)));
            if (rows > 0 && m_model->canFetchMore({}) && m_view->verticalScrollBar()->maximum() == 0)
                m_model->fetchMore({});   // the first page does not fill the view
            m_view->resizeColumnToContents(RemoteEventsModel::TimeColumn);
        });
        connect(m_model, &RemoteEventsModel::failed, this, [this](const QString &message) {
            m_status->setText(u"<span style='color:#d9534f'>%1</span>"_s.arg(tr("The events cannot be read: %1").arg(message).toHtmlEscaped()));
        });
    }

    void RemoteEventsPage::setClient(Remote::OperatorClient *client)
    {
        m_client = client;
        m_status->setText(tr("Loading…"));
        m_model->setClient(client);
    }

    void RemoteEventsPage::setTimeDisplay(TimeDisplay display)
    {
        m_timeDisplay = display;
        m_model->setTimeDisplay(display);
    }

    void RemoteEventsPage::setFilterText(const QString &eventType, const QString &userId, const QString &since, const QString &until)
    {
        m_eventType->setText(eventType);
        m_userId->setText(userId);
        m_since->setText(since);
        m_until->setText(until);
    }

    bool RemoteEventsPage::applyFilters()
    {
        Remote::EventsFilter filter;
        filter.eventType = m_eventType->text().trimmed();
        filter.userId = m_userId->text().trimmed();
        const qint64 now = Time::nowMicros();
        for (const auto &[field, bound] : {std::pair {m_since, &filter.since}, std::pair {m_until, &filter.until}}) {
            Result<std::optional<qint64>> micros = parseTimeBound(field->text(), m_timeDisplay, now);
            if (!micros) {
                m_status->setText(u"<span style='color:#d9534f'>%1</span>"_s.arg(micros.error().message.toHtmlEscaped()));
                field->setFocus();
                return false;
            }
            if (*micros)
                *bound = QDateTime::fromMSecsSinceEpoch(**micros / 1000, QTimeZone::utc());
        }
        m_status->setText(tr("Loading…"));
        m_model->setFilter(filter);
        return true;
    }

    void RemoteEventsPage::showCurrent()
    {
        const QModelIndex current = m_view->currentIndex();
        if (!current.isValid()) {
            m_detail->clear();
            return;
        }
        m_detail->setPlainText(QString::fromUtf8(QJsonDocument(m_model->event(current.row())).toJson(QJsonDocument::Indented)));
    }

    void RemoteEventsPage::copySelection()
    {
        QModelIndexList rows = m_view->selectionModel()->selectedRows();
        std::sort(rows.begin(), rows.end());
        QByteArray lines;
        for (const QModelIndex &row : std::as_const(rows))
            lines += QJsonDocument(m_model->event(row.row())).toJson(QJsonDocument::Compact) + '\n';
        if (!lines.isEmpty())
            QApplication::clipboard()->setText(QString::fromUtf8(lines));
    }

    void RemoteEventsPage::chooseExportFile()
    {
        if (isExporting())
            return;
        QString filter;
        QString path = QFileDialog::getSaveFileName(this, tr("Export events"), QDir::home().filePath(u"events.csv"_s), tr("CSV (*.csv);;JSON (*.json)"), &filter);
        if (path.isEmpty())
            return;
        const RowExporter::Format format = filter.startsWith(u"JSON"_s) ? RowExporter::Format::Json : RowExporter::formatForPath(path);
        if (QFileInfo(path).suffix().isEmpty())
            path += format == RowExporter::Format::Json ? u".json"_s : u".csv"_s;
        startExport(path, format);
    }

    bool RemoteEventsPage::startExport(const QString &path, RowExporter::Format format, int pageSize)
    {
        if (isExporting())
            return false;
        m_exporter = new RemoteEventsExporter(m_client, m_model->filter(), format, path, this);
        m_exporter->setPageSize(pageSize);
        connect(m_exporter, &RemoteEventsExporter::progressed, this, [this](qint64 rows) {
            m_progress->setFormat(tr("%L1 events").arg(rows));
        });
        connect(m_exporter, &RemoteEventsExporter::finished, this, &RemoteEventsPage::handleExportFinished);
        m_progress->setFormat(tr("starting"));
        m_progress->setVisible(true);
        m_cancelExport->setVisible(true);
        m_export->setEnabled(false);
        m_exporter->start();
        return isExporting();   // false: it failed at once (the file cannot be written), and says so
    }

    void RemoteEventsPage::cancelExport()
    {
        if (m_exporter)
            m_exporter->cancel();
    }

    bool RemoteEventsPage::isExporting() const
    {
        return m_exporter && m_exporter->isRunning();
    }

    void RemoteEventsPage::handleExportFinished(RowExporter::Outcome outcome, const QString &message)
    {
        m_progress->setVisible(false);
        m_cancelExport->setVisible(false);
        m_export->setEnabled(true);
        const qint64 rows = m_exporter ? m_exporter->rowsWritten() : 0;
        if (outcome == RowExporter::Outcome::Completed)
            m_status->setText(tr("Exported %L1 events to %2").arg(rows).arg(QDir::toNativeSeparators(message)).toHtmlEscaped());
        else
            m_status->setText(u"<span style='color:%1'>%2</span>"_s.arg(outcome == RowExporter::Outcome::Failed ? u"#d9534f"_s : u"gray"_s,
                                                                        message.toHtmlEscaped()));
        if (m_exporter)
            m_exporter->deleteLater();
        emit exportFinished(outcome, message);
    }
}
