#include "ui/deadletters/reconciliationpanel.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

#include "core/bigquery/bigqueryclient.h"
#include "core/pubsub/pubsubclient.h"
#include "ui/dashboard/statcard.h"
#include "ui/publish/recordedruns.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    using Reconcile::PublishedRun;
    using Reconcile::Reconciler;
    using Reconcile::Reconciliation;

    namespace
    {
        // The console lists more IDs than aqueduct verify's default: a table scrolls, a terminal does not.
        constexpr int MaxListed = 1000;

        enum Column
        {
            KindColumn,
            EventColumn,
            MessageColumn,
            LineColumn,
            DetailColumn,
            ColumnCount,
        };

        const QColor SentColor {0x4a, 0x90, 0xd9};
        const QColor StoredColor {0x3c, 0x9a, 0x5f};
        const QColor ErrorColor {0xe0, 0xa0, 0x30};
        const QColor MissingColor {0xd9, 0x53, 0x4f};
        const QColor DuplicatedColor {0x8e, 0x6c, 0xc9};

        QString count(qint64 n)
        {
            return QLocale().toString(n);
        }
    }

    ReconciliationPanel::ReconciliationPanel(QWidget *parent)
        : QWidget(parent)
        , m_runs {new QComboBox(this)}
        , m_open {new QPushButton(tr("Open ids file…"), this)}
        , m_start {new QPushButton(tr("Reconcile"), this)}
        , m_stop {new QPushButton(tr("Stop"), this)}
        , m_progress {new QProgressBar(this)}
        , m_stage {new QLabel(this)}
        , m_error {new QLabel(this)}
        , m_sent {new StatCard(tr("Sent"), SentColor, this)}
        , m_stored {new StatCard(tr("Stored"), StoredColor, this)}
        , m_inErrorTable {new StatCard(tr("Dead-lettered"), ErrorColor, this)}
        , m_missing {new StatCard(tr("Missing"), MissingColor, this)}
        , m_duplicated {new StatCard(tr("Duplicated"), DuplicatedColor, this)}
        , m_verdict {new QLabel(this)}
        , m_events {new QTableWidget(0, ColumnCount, this)}
    {
        m_runs->setPlaceholderText(tr("No recorded run yet: publish from the Publish page, or open an ids file"));
        m_runs->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        m_runs->setMinimumContentsLength(40);
        m_runs->setToolTip(tr("The runs the Publish page recorded, newest first, and the ids files opened here"));
        m_open->setToolTip(tr("Reconcile an ids file written by aqueduct publish --ids-out"));
        m_start->setToolTip(tr("Look the run's event IDs up in the table and the error table"));
        m_progress->setTextVisible(true);
        m_progress->hide();
        m_stage->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        m_error->setWordWrap(true);
        m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_error->setStyleSheet(u"color: #d9534f; font-weight: 600;"_s);
        m_error->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        m_error->hide();
        m_verdict->setWordWrap(true);
        m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_verdict->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        m_verdict->setText(tr("Pick a run and press Reconcile: each event ID it published is looked up in the table and the error table."));
        m_events->setHorizontalHeaderLabels({tr("Kind"), tr("Event ID"), tr("Message ID"), tr("Line"), tr("Where, why")});
        m_events->horizontalHeader()->setSectionResizeMode(DetailColumn, QHeaderView::Stretch);
        m_events->setSelectionBehavior(QAbstractItemView::SelectRows);
        m_events->setEditTriggers(QAbstractItemView::NoEditTriggers);
        m_events->verticalHeader()->hide();
        m_events->setAlternatingRowColors(true);
        m_events->setWordWrap(false);
        m_events->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        m_events->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);

        auto *pick = new QHBoxLayout;
        pick->addWidget(new QLabel(tr("Run"), this));
        pick->addWidget(m_runs, 1);
        pick->addWidget(m_open);
        pick->addWidget(m_start);
        pick->addWidget(m_stop);
        auto *progress = new QHBoxLayout;
        progress->addWidget(m_progress, 1);
        progress->addWidget(m_stage, 2);
        auto *cards = new QHBoxLayout;
        for (StatCard *card : {m_sent, m_stored, m_inErrorTable, m_missing, m_duplicated})
            cards->addWidget(card);

        auto *layout = new QVBoxLayout(this);
        layout->addLayout(pick);
        layout->addLayout(progress);
        layout->addWidget(m_error);
        layout->addLayout(cards);
        layout->addWidget(m_verdict);
        layout->addWidget(m_events, 1);

        connect(m_open, &QPushButton::clicked, this, &ReconciliationPanel::openIdsFile);
        connect(m_start, &QPushButton::clicked, this, &ReconciliationPanel::reconcileSelected);
        connect(m_stop, &QPushButton::clicked, this, &ReconciliationPanel::stop);
        connect(m_runs, &QComboBox::currentIndexChanged, this, &ReconciliationPanel::updateButtons);
        for (StatCard *card : {m_sent, m_stored, m_inErrorTable, m_missing, m_duplicated})
            card->setValue(u"–"_s);
        setRunsFolder(RecordedRuns::defaultFolder());
    }

    ReconciliationPanel::~ReconciliationPanel() = default;

    Reconcile::ReconcilerSettings ReconciliationPanel::settingsFor(const Pipeline::IngestSettings &ingest)
    {
        Reconcile::ReconcilerSettings settings;
        settings.dataset = ingest.dataset;
        settings.table = ingest.table;
        settings.errorTable = ingest.errorTable;
        settings.keyColumn = ingest.conversion.keyColumn;
        settings.subscription = ingest.subscription;
        settings.deadLetterSubscription = ingest.deadLetterSubscription();
        settings.maxListed = MaxListed;
        return settings;
    }

    void ReconciliationPanel::setClients(BigQuery::BigQueryClient *bigquery, PubSub::PubSubClient *pubsub, const Reconcile::ReconcilerSettings &settings)
    {
        stop();
        m_bigquery = bigquery;
        m_pubsub = pubsub;
        m_settings = settings;
        updateButtons();
    }

    void ReconciliationPanel::setRunsFolder(const QString &folder)
    {
        m_runsFolder = folder;
        refreshRuns();
    }

    void ReconciliationPanel::refreshRuns()
    {
        const QString selected = selectedRun();
        const QSignalBlocker blocker(m_runs);
        m_runs->clear();
        for (const QString &file : std::as_const(m_openedFiles)) {
            m_runs->addItem(QDir::toNativeSeparators(file), file);
            m_runs->setItemData(m_runs->count() - 1, QDir::toNativeSeparators(file), Qt::ToolTipRole);
        }
        const QLocale locale;
        for (const RecordedRuns::Run &run : RecordedRuns::list(m_runsFolder)) {
            m_runs->addItem(tr("Run of %1 UTC · %2").arg(run.startedUtc.toString(u"yyyy-MM-dd HH:mm:ss"_s), locale.formattedDataSize(run.bytes)), run.path);
            m_runs->setItemData(m_runs->count() - 1, QDir::toNativeSeparators(run.path), Qt::ToolTipRole);
        }
        const int index = m_runs->findData(selected);
        m_runs->setCurrentIndex(index >= 0 ? index : (m_runs->count() > 0 ? 0 : -1));
        updateButtons();
    }

    void ReconciliationPanel::addRun(const QString &idsFile)
    {
        refreshRuns();
        if (m_runs->findData(idsFile) < 0) {
            // Recorded somewhere else than the runs folder: listed like an opened file.
            m_openedFiles.prepend(idsFile);
            refreshRuns();
        }
        selectRun(idsFile);
    }

    void ReconciliationPanel::selectRun(const QString &path)
    {
        m_runs->setCurrentIndex(m_runs->findData(path));
    }

    QString ReconciliationPanel::selectedRun() const
    {
        return m_runs->currentData().toString();
    }

    void ReconciliationPanel::showEvent(QShowEvent *event)
    {
        QWidget::showEvent(event);
        refreshRuns();   // runs recorded by aqueduct publish in a terminal, files deleted meanwhile
    }

    void ReconciliationPanel::openIdsFile()
    {
        const QString start = m_openedFiles.isEmpty() ? m_runsFolder : QFileInfo(m_openedFiles.first()).absolutePath();
        const QString file = QFileDialog::getOpenFileName(this, tr("Open an ids file"), start, tr("Ids files (*.ids *.txt *.tsv);;All files (*)"));
        if (file.isEmpty())
            return;
        m_openedFiles.removeAll(file);
        m_openedFiles.prepend(file);
        refreshRuns();
        selectRun(file);
    }

    bool ReconciliationPanel::isRunning() const
    {
        return m_reading || (m_reconciler && m_reconciler->isRunning());
    }

    void ReconciliationPanel::updateButtons()
    {
        const bool connected = m_bigquery && m_pubsub;
        m_start->setEnabled(connected && !selectedRun().isEmpty() && !isRunning());
        m_start->setToolTip(connected ? tr("Look the run's event IDs up in the table and the error table") : tr("Not connected to the backends yet"));
        m_stop->setEnabled(isRunning());
        m_runs->setEnabled(!isRunning());
        m_open->setEnabled(!isRunning());
    }

    void ReconciliationPanel::reconcileSelected()
    {
        const QString run = selectedRun();
        if (!run.isEmpty())
            reconcile(run);
    }

    void ReconciliationPanel::reconcile(const QString &idsFile)
    {
        stop();
        const quint64 generation = ++m_generation;
        m_report.reset();
        m_events->setRowCount(0);
        m_error->hide();
        for (StatCard *card : {m_sent, m_stored, m_inErrorTable, m_missing, m_duplicated}) {
            card->setValue(u"…"_s);
            card->setDetail({});
        }
        m_verdict->setText(tr("Reconciling %1…").arg(QDir::toNativeSeparators(idsFile)));
        if (!m_bigquery || !m_pubsub) {
            showFailure(tr("Not connected to the backends yet."));
            return;
        }
        // The whole file is read and checked first, off this thread: a run of millions of events takes a while.
        m_reading = true;
        showProgress();
        updateButtons();
        auto result = std::make_shared<std::optional<Result<PublishedRun>>>();
        QThread *reader = QThread::create([result, idsFile] { result->emplace(PublishedRun::read(idsFile)); });
        connect(reader, &QThread::finished, reader, &QObject::deleteLater);
        connect(reader, &QThread::finished, this, [this, result, generation] { handleRunRead(generation, std::move(**result)); });
        reader->start();
    }

    void ReconciliationPanel::handleRunRead(quint64 generation, Result<PublishedRun> run)
    {
        if (generation != m_generation)
            return;
        m_reading = false;
        if (!run) {
            showFailure(run.error().message);
            return;
        }
        if (run->eventCount() == 0) {
            showFailure(run->lines() == 0 ? tr("%1 has no lines: nothing to reconcile.").arg(run->path())
                                          : tr("%1: no line has an event ID, so nothing can be checked (publish events that have a top-level %2 field).")
                                                .arg(run->path(), m_settings.keyColumn));
            return;
        }
        if (!m_bigquery || !m_pubsub) {
            showFailure(tr("Not connected to the backends."));
            return;
        }
        m_reconciler = std::make_unique<Reconciler>(m_bigquery, m_pubsub, std::move(*run), m_settings);
        connect(m_reconciler.get(), &Reconciler::progressed, this, &ReconciliationPanel::showProgress);
        m_reconciler->start([this, generation](Result<Reconciliation> report) { handleFinished(generation, std::move(report)); });
        updateButtons();
    }

    void ReconciliationPanel::stop()
    {
        const bool wasRunning = isRunning();
        ++m_generation;   // a file still being read is ignored when it is
        m_reading = false;
        if (m_reconciler) {
            // Not deleted here: this may run inside its callback. Its queued answer is ignored (generation).
            m_reconciler->disconnect(this);
            m_reconciler.release()->deleteLater();
        }
        if (wasRunning) {
            m_progress->hide();
            m_stage->setText(tr("Stopped."));
            m_verdict->setText(tr("Stopped before the report was complete."));
        }
        updateButtons();
    }

    void ReconciliationPanel::showProgress()
    {
        m_progress->show();
        if (m_reading) {
            m_progress->setRange(0, 0);
            m_stage->setText(tr("Reading the ids file…"));
            return;
        }
        if (!m_reconciler)
            return;
        const qint64 events = m_reconciler->run().eventCount();
        switch (m_reconciler->stage()) {
        case Reconciler::Stage::Idle:
            m_progress->hide();
            m_stage->clear();
            return;
        case Reconciler::Stage::Backlogs:
            m_stage->setText(tr("Reading the subscriptions' backlogs…"));
            break;
        case Reconciler::Stage::Tables:
            m_stage->setText(tr("Reading the tables' schemas…"));
            break;
        case Reconciler::Stage::LookUp: {
            // QProgressBar counts in int.
            const double scale = events > std::numeric_limits<int>::max() ? double(std::numeric_limits<int>::max()) / double(events) : 1.0;
            m_progress->setRange(0, int(double(events) * scale));
            m_progress->setValue(int(double(m_reconciler->lookedUp()) * scale));
            m_stage->setText(tr("Looked up %1 of %2 event IDs in %3").arg(count(m_reconciler->lookedUp()), count(events), m_settings.table));
            return;
        }
        case Reconciler::Stage::ErrorTable:
            m_stage->setText(tr("Reading the error table %1…").arg(m_settings.errorTable));
            break;
        case Reconciler::Stage::Listing:
            m_stage->setText(tr("Listing the IDs…"));
            break;
        }
        m_progress->setRange(0, 0);
    }

    void ReconciliationPanel::handleFinished(quint64 generation, Result<Reconciliation> report)
    {
        if (generation != m_generation)
            return;
        m_progress->hide();
        m_stage->clear();
        updateButtons();
        if (!report) {
            showFailure(report.error().message);
            return;
        }
        m_report = std::move(*report);
        m_stage->setText(tr("Reconciled at %1 UTC.").arg(QDateTime::currentDateTimeUtc().toString(u"HH:mm:ss"_s)));
        showReport(*m_report);
        emit reconciled();
    }

    QString ReconciliationPanel::errorText() const
    {
        return m_error->isHidden() ? QString() : m_error->text();
    }

    void ReconciliationPanel::showFailure(const QString &message)
    {
        m_reading = false;
        m_progress->hide();
        m_stage->clear();
        m_report.reset();
        m_events->setRowCount(0);
        for (StatCard *card : {m_sent, m_stored, m_inErrorTable, m_missing, m_duplicated}) {
            card->setValue(u"–"_s);
            card->setDetail({});
        }
        m_verdict->clear();
        m_error->setText(tr("Cannot reconcile: %1").arg(message));
        m_error->show();
        updateButtons();
        emit failed(message);
    }

    void ReconciliationPanel::showReport(const Reconciliation &report)
    {
        m_error->hide();
        m_sent->setValue(count(report.sent));
        m_sent->setDetail(report.lines == 1 ? tr("1 line in the ids file") : tr("%1 lines in the ids file").arg(count(report.lines)));
        m_stored->setValue(count(report.stored));
        m_stored->setDetail(report.duplicated > 0 ? tr("once %1, more than once %2").arg(count(report.storedOnce()), count(report.duplicated))
                                                  : tr("in %1").arg(m_settings.table));
        m_inErrorTable->setValue(count(report.inErrorTable));
        m_inErrorTable->setDetail(report.errorTableExists ? tr("in %1, accounted for").arg(m_settings.errorTable) : tr("no error table"));
        m_missing->setValue(count(report.missing));
        m_missing->setDetail(report.missing > 0 ? Reconciliation::whereaboutsName(report.whereabouts) : tr("none"));
        m_duplicated->setValue(count(report.duplicated));
        if (report.duplicated == 0)
            m_duplicated->setDetail(tr("none"));
        else
            m_duplicated->setDetail(report.extraRows == 1 ? tr("1 extra row") : tr("%1 extra rows").arg(count(report.extraRows)));

        QStringList lines;
        if (report.isComplete()) {
            QString ok = tr("OK: every event is stored exactly once");
            if (report.inErrorTable > 0)
                ok += u' ' + tr("(%1 in the error table)").arg(count(report.inErrorTable));
            lines.append(u"<b style='color:#3c9a5f'>%1.</b>"_s.arg(ok.toHtmlEscaped()));
        } else {
            QStringList problems;
            if (report.missing > 0)
                problems.append(tr("%1 missing").arg(count(report.missing)));
            if (report.duplicated > 0)
                problems.append(tr("%1 duplicated").arg(count(report.duplicated)));
            lines.append(u"<b style='color:#d9534f'>%1</b>"_s.arg(tr("NOT OK: %1.").arg(problems.join(u", "_s)).toHtmlEscaped()));
        }
        if (report.missing > 0)
            lines.append(tr("Missing events are %1").arg(report.whereaboutsText()).toHtmlEscaped());
        lines.append(tr("%1 against %2 (key %3).").arg(QDir::toNativeSeparators(report.idsFile), report.table, report.keyColumn).toHtmlEscaped());
        if (report.publishedMoreThanOnce > 0)
            lines.append(tr("Events published more than once count once: %1.").arg(count(report.publishedMoreThanOnce)).toHtmlEscaped());
        if (report.linesWithoutEventId > 0)
            lines.append(tr("Lines without an event ID, not checked: %1.").arg(count(report.linesWithoutEventId)).toHtmlEscaped());
        const bool truncated = report.missingList.size() < report.missing || report.errorList.size() < report.inErrorTable
                               || report.duplicatedList.size() < report.duplicated;
        if (truncated)
            lines.append(tr("Each list below shows its first %1 IDs.").arg(report.maxListed).toHtmlEscaped());
        for (const QString &warning : report.warnings)
            lines.append(u"<span style='color:#e0a030'>%1</span>"_s.arg(tr("Warning: %1").arg(warning).toHtmlEscaped()));
        m_verdict->setText(lines.join(u"<br>"_s));

        m_events->setRowCount(0);
        m_events->setRowCount(int(report.missingList.size() + report.duplicatedList.size() + report.errorList.size()));
        int row = 0;
        const auto addRow = [&](const QString &kind, const QColor &color, const QString &eventId, const QString &messageId, qint64 line, const QString &detail) {
            const QString texts[ColumnCount] = {kind, eventId, messageId, QString::number(line), detail.simplified()};
            for (int column = 0; column < ColumnCount; ++column) {
                auto *item = new QTableWidgetItem(texts[column]);
                item->setToolTip(texts[column].left(2000));
                if (column == LineColumn)
                    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                m_events->setItem(row, column, item);
            }
            m_events->item(row, KindColumn)->setForeground(color);
            ++row;
        };
        const QString where = Reconciliation::whereaboutsName(report.whereabouts);
        for (const Reconciliation::Missing &event : report.missingList)
            addRow(tr("Missing"), MissingColor, event.eventId, event.messageId, event.line, where);
        for (const Reconciliation::Duplicated &event : report.duplicatedList)
            addRow(tr("Duplicated"), DuplicatedColor, event.eventId, QString(), event.line, tr("%1 rows").arg(event.rows));
        for (const Reconciliation::Errored &event : report.errorList)
            addRow(tr("In error table"), ErrorColor, event.eventId, event.messageId, event.line, event.errorMessage);
        m_events->resizeColumnsToContents();
        m_events->horizontalHeader()->setSectionResizeMode(DetailColumn, QHeaderView::Stretch);
    }
}
