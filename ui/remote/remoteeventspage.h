#pragma once

#include <QPointer>
#include <QWidget>

#include "ui/rows/rowexporter.h"
#include "ui/rows/rowformat.h"

class QLabel;
class QProgressBar;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace Aq::Remote
{
    class OperatorClient;
}

namespace Aq::Ui
{
    class RemoteEventsExporter;
    class RemoteEventsModel;

    // The Rows page of a console that watches a remote `aqueduct serve`: its GET /events newest first, with the
    // filters the API has (event_type, user_id, since, until), more rows as the view scrolls down, a JSON detail
    // pane of the current event, copy, and export of every event the filters match to CSV or JSON (with progress
    // and cancel). F5 reloads, Ctrl+F goes to the filters, Enter applies them, Ctrl+C copies the selected events
    // as JSON lines, Ctrl+E exports.
    class RemoteEventsPage final : public QWidget
    {
        Q_OBJECT

    public:
        explicit RemoteEventsPage(QWidget *parent = nullptr);

        void setClient(Remote::OperatorClient *client);
        void setTimeDisplay(TimeDisplay display);
        // Reads the filter fields and reloads; false (and the reason shown) when a field is refused.
        bool applyFilters();
        void setFilterText(const QString &eventType, const QString &userId, const QString &since = {}, const QString &until = {});
        void copySelection();
        // Writes every event of the applied filters to `path`; false when it cannot start (and says why).
        bool startExport(const QString &path, RowExporter::Format format, int pageSize = 1000);
        void cancelExport();
        bool isExporting() const;

        RemoteEventsModel *model() const { return m_model; }
        QTableView *view() const { return m_view; }

    Q_SIGNALS:
        void exportFinished(Aq::Ui::RowExporter::Outcome outcome, const QString &message);

    private:
        void showCurrent();
        void chooseExportFile();
        void handleExportFinished(RowExporter::Outcome outcome, const QString &message);

        RemoteEventsModel *m_model;
        QTableView *m_view;
        QLineEdit *m_eventType;
        QLineEdit *m_userId;
        QLineEdit *m_since;
        QLineEdit *m_until;
        QPlainTextEdit *m_detail;
        QLabel *m_status;
        QPushButton *m_export;
        QProgressBar *m_progress;
        QPushButton *m_cancelExport;
        QPointer<RemoteEventsExporter> m_exporter;
        Remote::OperatorClient *m_client = nullptr;
        TimeDisplay m_timeDisplay = TimeDisplay::Utc;
    };
}
