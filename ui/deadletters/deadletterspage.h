#pragma once

#include <optional>

#include <QPointer>
#include <QWidget>

#include "core/pipeline/ingestsettings.h"
#include "core/pipeline/rowconverter.h"
#include "ui/rows/rowformat.h"

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableWidget;

namespace Aq::BigQuery
{
    class BigQueryClient;
}

namespace Aq::PubSub
{
    class Publisher;
    class PubSubClient;
}

namespace Aq::Remote
{
    class OperatorClient;
}

namespace Aq::Ui
{
    class ReconciliationPanel;

    // Dead letters: the error table newest first with each row's reason; the selected payload in an editor; redrive
    // (republish to the topic) the edited payload, the selected rows, or all shown, each checked against the table
    // schema first. A second tab reconciles a publish run (ReconciliationPanel).
    class DeadLettersPage final : public QWidget
    {
        Q_OBJECT

    public:
        DeadLettersPage(const Pipeline::RowConverter &converter, const QString &errorTableSql, QWidget *parent = nullptr);

        void setClients(BigQuery::BigQueryClient *bigquery, PubSub::Publisher *publisher);
        // Watching a remote `aqueduct serve`: the error table from its GET /dead-letters, redriven through a
        // publisher to its POST /dead-letters/redrive (which checks the schema again). No reconciliation tab.
        void setRemoteClients(Remote::OperatorClient *client, PubSub::Publisher *redrivePublisher);
        void setTimeDisplay(TimeDisplay display);
        // What the reconciliation tab needs: the clients and the pipeline's resource names.
        void setReconcileClients(BigQuery::BigQueryClient *bigquery, PubSub::PubSubClient *pubsub, const Pipeline::IngestSettings &ingest);
        // A run the Publish page recorded (PublishPage::runRecorded): listed first in the reconciliation tab.
        void addRecordedRun(const QString &idsFile);
        ReconciliationPanel *reconciliationPanel() const { return m_reconciliation; }
        void showErrorTable();
        void showReconciliation();
        void refresh();
        int rowCount() const;
        // Republishes these payloads; the reasons of those that fail the schema check, by row.
        void redrive(const QList<int> &rows, bool useEditor);

    Q_SIGNALS:
        void refreshed(int rows);
        void redriven(int published, int refused);

    private:
        struct DeadLetter
        {
            std::optional<qint64> timeMicros;
            QString reason;
            QString payload;
        };

        void showRows(const QList<DeadLetter> &rows);
        void showTimes();
        void showSelected();
        QList<int> selectedRows() const;

        Pipeline::RowConverter m_converter;
        QString m_errorTable;   // `project.dataset.table`
        QPointer<BigQuery::BigQueryClient> m_bigquery;
        QPointer<PubSub::Publisher> m_publisher;
        QPointer<Remote::OperatorClient> m_remote;
        TimeDisplay m_timeDisplay = TimeDisplay::Utc;
        QTabWidget *m_tabs;
        ReconciliationPanel *m_reconciliation;
        QTableWidget *m_table;
        QPlainTextEdit *m_payload;
        QLabel *m_reason;
        QLabel *m_status;
        QPushButton *m_redriveEdited;
        QPushButton *m_redriveSelected;
        QPushButton *m_redriveAll;
        quint64 m_generation = 0;
    };
}
