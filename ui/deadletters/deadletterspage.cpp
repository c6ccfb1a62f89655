#include "ui/deadletters/deadletterspage.h"

#include <memory>

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include "core/bigquery/bigqueryclient.h"
#include "core/bigquery/cellformat.h"
#include "core/bigquery/timestamp.h"
#include "core/common/timeutil.h"
#include "core/remote/operatorclient.h"
#include "core/pubsub/publisher.h"
#include "ui/deadletters/reconciliationpanel.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    namespace
    {
        constexpr int MaxRows = 500;
        enum Column
        {
            TimeColumn,
            ReasonColumn,
            PayloadColumn,
            ColumnCount,
        };
    }

    DeadLettersPage::DeadLettersPage(const Pipeline::RowConverter &converter, const QString &errorTableSql, QWidget *parent)
        : QWidget(parent)
        , m_converter {converter}
        , m_errorTable {errorTableSql}
        , m_tabs {new QTabWidget(this)}
        , m_reconciliation {new ReconciliationPanel(this)}
        , m_table {new QTableWidget(0, ColumnCount, this)}
        , m_payload {new QPlainTextEdit(this)}
        , m_reason {new QLabel(this)}
        , m_status {new QLabel(this)}
        , m_redriveEdited {new QPushButton(tr("Redrive edited payload"), this)}
        , m_redriveSelected {new QPushButton(tr("Redrive selected"), this)}
        , m_redriveAll {new QPushButton(tr("Redrive all shown"), this)}
    {
        m_table->setHorizontalHeaderLabels({tr("Time (UTC)"), tr("Reason"), tr("Payload")});
        m_table->horizontalHeader()->setSectionResizeMode(ReasonColumn, QHeaderView::Stretch);
        m_table->horizontalHeader()->setSectionResizeMode(PayloadColumn, QHeaderView::Stretch);
        m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
        m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
        m_table->verticalHeader()->hide();
        m_table->setAlternatingRowColors(true);
        m_payload->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        m_payload->setPlaceholderText(tr("Select a row to see and fix its payload."));
        m_reason->setWordWrap(true);
        m_status->setWordWrap(true);
        // Long reasons wrap instead of widening the window.
        m_reason->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        m_reason->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_redriveEdited->setToolTip(tr("Republish the payload as edited above (Ctrl+R)"));

        auto *refresh = new QPushButton(tr("Refresh"), this);
        refresh->setToolTip(tr("Reload the error table (F5)"));
        auto *buttons = new QHBoxLayout;
        buttons->addWidget(refresh);
        buttons->addStretch();
        buttons->addWidget(m_redriveEdited);
        buttons->addWidget(m_redriveSelected);
        buttons->addWidget(m_redriveAll);

        auto *detail = new QWidget(this);
        auto *detailLayout = new QVBoxLayout(detail);
        detailLayout->setContentsMargins(0, 0, 0, 0);
        detailLayout->addWidget(m_reason);
        detailLayout->addWidget(m_payload);
        auto *splitter = new QSplitter(Qt::Vertical, this);
        splitter->addWidget(m_table);
        splitter->addWidget(detail);
        splitter->setStretchFactor(0, 3);
        splitter->setStretchFactor(1, 2);

        auto *errorTab = new QWidget(this);
        auto *errorLayout = new QVBoxLayout(errorTab);
        errorLayout->addLayout(buttons);
        errorLayout->addWidget(splitter, 1);
        errorLayout->addWidget(m_status);
        m_tabs->addTab(errorTab, tr("Error table"));
        m_tabs->addTab(m_reconciliation, tr("Reconcile a publish run"));
        m_tabs->setTabToolTip(1, tr("What became of a publish run's events: sent, stored, dead-lettered, missing, duplicated"));
        auto *layout = new QVBoxLayout(this);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(m_tabs);

        connect(refresh, &QPushButton::clicked, this, &DeadLettersPage::refresh);
        auto *refreshShortcut = new QShortcut(QKeySequence(Qt::Key_F5), this);
        refreshShortcut->setWhatsThis(tr("Reload the error table"));
        connect(refreshShortcut, &QShortcut::activated, this, &DeadLettersPage::refresh);
        connect(m_table, &QTableWidget::itemSelectionChanged, this, &DeadLettersPage::showSelected);
        connect(m_redriveEdited, &QPushButton::clicked, this, [this] { redrive(selectedRows().mid(0, 1), true); });
        auto *redriveShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_R), this);
        redriveShortcut->setWhatsThis(tr("Redrive the edited payload"));
        connect(redriveShortcut, &QShortcut::activated, this, [this] { redrive(selectedRows().mid(0, 1), true); });
        connect(m_redriveSelected, &QPushButton::clicked, this, [this] { redrive(selectedRows(), false); });
        connect(m_redriveAll, &QPushButton::clicked, this, [this] {
            QList<int> all;
            for (int row = 0; row < m_table->rowCount(); ++row)
                all.append(row);
            redrive(all, false);
        });
        showSelected();
    }

    void DeadLettersPage::setClients(BigQuery::BigQueryClient *bigquery, PubSub::Publisher *publisher)
    {
        m_bigquery = bigquery;
        m_publisher = publisher;
        refresh();
    }

    void DeadLettersPage::setReconcileClients(BigQuery::BigQueryClient *bigquery, PubSub::PubSubClient *pubsub, const Pipeline::IngestSettings &ingest)
    {
        m_reconciliation->setClients(bigquery, pubsub, ReconciliationPanel::settingsFor(ingest));
    }

    void DeadLettersPage::addRecordedRun(const QString &idsFile)
    {
        m_reconciliation->addRun(idsFile);
    }

    void DeadLettersPage::showErrorTable()
    {
        m_tabs->setCurrentIndex(0);
    }

    void DeadLettersPage::showReconciliation()
    {
        m_tabs->setCurrentWidget(m_reconciliation);
    }

    int DeadLettersPage::rowCount() const
    {
        return m_table->rowCount();
    }

    void DeadLettersPage::setRemoteClients(Remote::OperatorClient *client, PubSub::Publisher *redrivePublisher)
    {
        m_remote = client;
        m_publisher = redrivePublisher;
        m_tabs->setTabEnabled(m_tabs->indexOf(m_reconciliation), false);
        m_tabs->setTabToolTip(m_tabs->indexOf(m_reconciliation), tr("Reconciliation reads the tables directly; it is not available through a remote server."));
        refresh();
    }

    void DeadLettersPage::setTimeDisplay(TimeDisplay display)
    {
        m_timeDisplay = display;
        m_table->setHorizontalHeaderItem(TimeColumn, new QTableWidgetItem(display == TimeDisplay::Utc ? tr("Time (UTC)") : tr("Time (local)")));
        showTimes();
    }

    void DeadLettersPage::refresh()
    {
        const quint64 generation = ++m_generation;
        const auto failed = [this](const QString &message) { m_status->setText(tr("The error table cannot be read: %1").arg(message)); };
        if (m_remote) {
            m_status->setText(tr("Loading…"));
            m_remote->deadLetters(MaxRows, {}, this, [this, generation, failed](Result<Remote::RemotePage> page) {
                if (generation != m_generation)
                    return;
                if (!page)
                    return failed(page.error().message);
                QList<DeadLetter> rows;
                for (const QJsonObject &json : std::as_const(page->rows)) {
                    rows.append({Time::parseTimestamp(json.value(u"timestamp"_s)), json.value(u"errorMessage"_s).toString(),
                                 json.value(u"payloadString"_s).toString()});
                }
                showRows(rows);
            });
            return;
        }
        if (!m_bigquery)
            return;
        BigQuery::QueryRequest request;
        request.sql = u"SELECT `timestamp`, `errorMessage`, `payloadString` FROM %1 ORDER BY `timestamp` DESC LIMIT %2"_s.arg(m_errorTable).arg(MaxRows);
        request.pageSize = MaxRows;
        m_status->setText(tr("Loading…"));
        m_bigquery->query(request, this, [this, generation, failed](Result<BigQuery::QueryPage> page) {
            if (generation != m_generation)
                return;
            if (!page)
                return failed(page.error().message);
            const auto text = [&page](const QVariantList &row, int column) {
                return row.value(column).isNull() ? QString() : BigQuery::cellToText(page->fields[column], row.value(column));
            };
            QList<DeadLetter> rows;
            for (const QVariantList &row : std::as_const(page->rows)) {
                const QVariant time = row.value(TimeColumn);
                std::optional<qint64> micros;
                if (time.metaType() == QMetaType::fromType<BigQuery::Timestamp>())
                    micros = time.value<BigQuery::Timestamp>().microsSinceEpoch;
                else if (time.toDateTime().isValid())
                    micros = time.toDateTime().toMSecsSinceEpoch() * 1000;
                rows.append({micros, text(row, ReasonColumn), text(row, PayloadColumn)});
            }
            showRows(rows);
        });
    }

    void DeadLettersPage::showRows(const QList<DeadLetter> &rows)
    {
        m_table->setRowCount(int(rows.size()));
        for (int r = 0; r < rows.size(); ++r) {
            const DeadLetter &row = rows[r];
            auto *time = new QTableWidgetItem;
            if (row.timeMicros)
                time->setData(Qt::UserRole, *row.timeMicros);
            m_table->setItem(r, TimeColumn, time);
            for (const auto &[column, text] : {std::pair {ReasonColumn, row.reason}, std::pair {PayloadColumn, row.payload}}) {
                auto *item = new QTableWidgetItem(column == PayloadColumn ? text.left(300) : text);
                item->setData(Qt::UserRole, text);
                item->setToolTip(text.left(2000));
                m_table->setItem(r, column, item);
            }
        }
        showTimes();
        showSelected();
        m_status->setText(tr("%n dead letter(s), newest first (at most %1 shown).", nullptr, int(rows.size())).arg(MaxRows));
        emit refreshed(int(rows.size()));
    }

    void DeadLettersPage::showTimes()
    {
        for (int r = 0; r < m_table->rowCount(); ++r) {
            QTableWidgetItem *item = m_table->item(r, TimeColumn);
            const QVariant micros = item ? item->data(Qt::UserRole) : QVariant();
            if (micros.isValid())
                item->setText(timestampText(micros.toLongLong(), m_timeDisplay));
        }
        m_table->resizeColumnToContents(TimeColumn);
    }

    QList<int> DeadLettersPage::selectedRows() const
    {
        QList<int> rows;
        for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
            rows.append(index.row());
        std::sort(rows.begin(), rows.end());
        return rows;
    }

    void DeadLettersPage::showSelected()
    {
        const QList<int> rows = selectedRows();
        m_redriveSelected->setEnabled(!rows.isEmpty());
        m_redriveEdited->setEnabled(rows.size() == 1);
        m_redriveAll->setEnabled(m_table->rowCount() > 0);
        if (rows.size() != 1) {
            m_payload->clear();
            m_reason->clear();
            return;
        }
        const QString payload = m_table->item(rows.first(), PayloadColumn)->data(Qt::UserRole).toString();
        const QJsonDocument document = QJsonDocument::fromJson(payload.toUtf8());
        m_payload->setPlainText(document.isNull() ? payload : QString::fromUtf8(document.toJson(QJsonDocument::Indented)));
        m_reason->setText(tr("Why: %1").arg(m_table->item(rows.first(), ReasonColumn)->data(Qt::UserRole).toString()));
    }

    void DeadLettersPage::redrive(const QList<int> &rows, bool useEditor)
    {
        if (!m_publisher || rows.isEmpty())
            return;
        struct Tally
        {
            int pending = 0;
            int published = 0;
            int failed = 0;
        };
        auto tally = std::make_shared<Tally>();
        QStringList refusals;
        QList<QByteArray> payloads;
        for (int row : rows) {
            QByteArray payload = useEditor ? m_payload->toPlainText().toUtf8() : m_table->item(row, PayloadColumn)->data(Qt::UserRole).toString().toUtf8();
            if (const QJsonDocument document = QJsonDocument::fromJson(payload); document.isObject())
                payload = document.toJson(QJsonDocument::Compact);
            if (Status valid = m_converter.validate(payload); !valid) {
                refusals.append(tr("row %1: %2").arg(row + 1).arg(valid.error().message));
                continue;
            }
            payloads.append(payload);
        }
        if (payloads.isEmpty()) {
            m_status->setText(tr("Nothing redriven: %1").arg(refusals.join(u"; "_s)));
            emit redriven(0, int(refusals.size()));
            return;
        }
        tally->pending = int(payloads.size());
        const int refused = int(refusals.size());
        for (const QByteArray &payload : std::as_const(payloads)) {
            PubSub::PubsubMessage message;
            message.data = payload;
            message.attributes.insert(u"aqueduct-redrive"_s, u"console"_s);
            const auto done = [this, tally, refused](Result<QString> id) {
                ++(id ? tally->published : tally->failed);
                if (--tally->pending > 0)
                    return;
                m_status->setText(tr("Redriven: %1 published, %2 failed, %3 refused by the schema check.").arg(tally->published).arg(tally->failed).arg(refused));
                emit redriven(tally->published, refused);
            };
            if (Status queued = m_publisher->publish(message, done); !queued)
                done(queued.error());
        }
        m_publisher->flush();
        if (!refusals.isEmpty())
            m_reason->setText(tr("Refused by the schema check: %1").arg(refusals.join(u"; "_s)));
    }
}
