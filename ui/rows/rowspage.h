#pragma once

#include <QPointer>
#include <QTimer>
#include <QWidget>

#include "ui/rows/rowexporter.h"
#include "ui/rows/rowformat.h"
#include "ui/rows/rowquery.h"
#include "ui/rows/rowstable.h"
#include "ui/rows/rowwindowmodel.h"

class QAction;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTableView;
class QToolButton;

namespace Aq::BigQuery
{
    class BigQueryClient;
}

namespace Aq::Ui
{
    // The console's Rows page (issue 5, section 2): the table newest first in a windowed view, a filter bar
    // (event_type, user_id, time range, a free WHERE clause), a JSON detail pane of the current row, copy, and
    // export of the current query to CSV or JSON.
    //
    // Shortcuts: F5 refresh (new rows), Ctrl+F the filter bar, Ctrl+E export, Ctrl+C copy the selected rows
    // (TSV as text, and JSON), Ctrl+Shift+C copy them as JSON text, Ctrl+L live mode (a refresh every 2 s while
    // the page is visible), Enter in a filter field applies the filters.
    class RowsPage final : public QWidget
    {
        Q_OBJECT

    public:
        // `client` may be null until the shell's connection opens (setClient). A table without a schema is
        // described with tables.get once there is a client; without a project, the client's is used.
        RowsPage(BigQuery::BigQueryClient *client, const RowsTable &table, QWidget *parent = nullptr);
        ~RowsPage() override;

        void setClient(BigQuery::BigQueryClient *client);
        void setTable(const RowsTable &table);
        void setTimeDisplay(TimeDisplay display);

        RowWindowModel *model() const { return m_model; }
        QTableView *view() const { return m_view; }

        // The filter bar, from code: fills the fields and applies them. False (and the error shown) when refused.
        bool setFilters(const RowFilters &filters);
        bool applyFilters();
        void clearFilters();
        void refresh();
        void setLiveMode(bool live);
        bool isLiveMode() const;

        // Exports the current query (filters and snapshot) to `path`; false when one is already running or the
        // page has nothing to export. exportFinished tells the end.
        bool startExport(const QString &path, RowExporter::Format format);
        void cancelExport();
        bool isExporting() const;

        enum class CopyFormat
        {
            Tsv,    // text: tab-separated with a header; also application/json on the clipboard
            Json,   // text: a JSON array
        };
        // The selected rows that are loaded, to the clipboard; returns how many were copied.
        int copySelection(CopyFormat format);

        QString statusText() const;
        QString errorText() const;   // empty when the banner is hidden

    signals:
        void exportFinished(Aq::Ui::RowExporter::Outcome outcome, const QString &message);
        // The status line changed (the shell may mirror it).
        void statusChanged(const QString &text);

    protected:
        void showEvent(QShowEvent *event) override;
        void hideEvent(QHideEvent *event) override;
        bool eventFilter(QObject *watched, QEvent *event) override;

    private:
        void buildUi();
        void describeTable();
        void chooseExportFile();
        void updateViewport();
        void updateStatus();
        void updateDetail();
        void showError(const QString &message);
        void handleExportFinished(RowExporter::Outcome outcome, const QString &message);
        void handleRowsArrivedAtTop(int count);
        void sizeColumns();
        void sizeColumnsToContent();

        QPointer<BigQuery::BigQueryClient> m_client;
        RowsTable m_table;
        RowWindowModel *m_model = nullptr;
        QPointer<RowExporter> m_exporter;

        QLineEdit *m_eventType = nullptr;
        QLineEdit *m_userId = nullptr;
        QLineEdit *m_since = nullptr;
        QLineEdit *m_until = nullptr;
        QLineEdit *m_where = nullptr;
        QPushButton *m_apply = nullptr;
        QPushButton *m_clear = nullptr;
        QToolButton *m_live = nullptr;
        QToolButton *m_refresh = nullptr;
        QToolButton *m_export = nullptr;
        QLabel *m_error = nullptr;
        QSplitter *m_splitter = nullptr;
        QTableView *m_view = nullptr;
        QPlainTextEdit *m_detail = nullptr;
        QLabel *m_status = nullptr;
        QProgressBar *m_progress = nullptr;
        QPushButton *m_cancelExport = nullptr;
        QTimer m_liveTimer;
        QString m_exportMessage;
        int m_sizedColumns = -1;
        bool m_sizedToContent = false;
        bool m_describing = false;
    };
}
