#pragma once

#include <memory>
#include <optional>

#include <QPointer>
#include <QWidget>

#include "core/pipeline/ingestsettings.h"
#include "core/reconcile/reconciler.h"
#include "core/reconcile/reconciliation.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace Aq::BigQuery
{
    class BigQueryClient;
}

namespace Aq::PubSub
{
    class PubSubClient;
}

namespace Aq::Ui
{
    class StatCard;

    // "Reconcile a publish run": pick a run the Publish page recorded (newest first) or any ids file (what
    // `aqueduct publish --ids-out` writes), and see what became of its events, as `aqueduct verify` reports it:
    // sent, stored, in the error table (with the reason), missing (with where they may be) and duplicated, and
    // the IDs of those not stored exactly once.
    class ReconciliationPanel final : public QWidget
    {
        Q_OBJECT

    public:
        explicit ReconciliationPanel(QWidget *parent = nullptr);
        ~ReconciliationPanel() override;

        // What the reconciler compares a run with, as the pipeline names it.
        static Reconcile::ReconcilerSettings settingsFor(const Pipeline::IngestSettings &ingest);

        // Null clients disable reconciling (not connected yet).
        void setClients(BigQuery::BigQueryClient *bigquery, PubSub::PubSubClient *pubsub, const Reconcile::ReconcilerSettings &settings);
        // Where the Publish page records runs (RecordedRuns::defaultFolder() unless set).
        void setRunsFolder(const QString &folder);
        // Lists the recorded runs again, keeping the selection.
        void refreshRuns();
        // A run just recorded: listed and selected.
        void addRun(const QString &idsFile);
        // The selected run's ids file; empty when none.
        QString selectedRun() const;

        // Reconciles this ids file; the outcome comes as reconciled() or failed().
        void reconcile(const QString &idsFile);
        void reconcileSelected();
        void stop();
        bool isRunning() const;

        // The last report shown; none after a failure.
        const std::optional<Reconcile::Reconciliation> &report() const { return m_report; }
        QString errorText() const;

    Q_SIGNALS:
        void reconciled();
        void failed(const QString &message);

    protected:
        void showEvent(QShowEvent *event) override;

    private:
        void openIdsFile();
        void selectRun(const QString &path);
        void handleRunRead(quint64 generation, Result<Reconcile::PublishedRun> run);
        void handleFinished(quint64 generation, Result<Reconcile::Reconciliation> report);
        void showProgress();
        void showReport(const Reconcile::Reconciliation &report);
        void showFailure(const QString &message);
        void updateButtons();

        QPointer<BigQuery::BigQueryClient> m_bigquery;
        QPointer<PubSub::PubSubClient> m_pubsub;
        Reconcile::ReconcilerSettings m_settings;
        QString m_runsFolder;
        QStringList m_openedFiles;   // chosen with "Open ids file…", listed before the recorded runs
        std::unique_ptr<Reconcile::Reconciler> m_reconciler;
        std::optional<Reconcile::Reconciliation> m_report;
        quint64 m_generation = 0;
        bool m_reading = false;

        QComboBox *m_runs;
        QPushButton *m_open;
        QPushButton *m_start;
        QPushButton *m_stop;
        QProgressBar *m_progress;
        QLabel *m_stage;
        QLabel *m_error;
        StatCard *m_sent;
        StatCard *m_stored;
        StatCard *m_inErrorTable;
        StatCard *m_missing;
        StatCard *m_duplicated;
        QLabel *m_verdict;
        QTableWidget *m_events;
    };
}
