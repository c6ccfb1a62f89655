#pragma once

#include <QWidget>

#include "ui/rows/rowformat.h"

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;

namespace Aq::Remote
{
    class OperatorClient;
}

namespace Aq::Ui
{
    class RemoteEventsModel;

    // The Rows page of a console that watches a remote `aqueduct serve`: its GET /events newest first, with the
    // filters the API has (event_type, user_id, since, until), more rows as the view scrolls down, a JSON detail
    // pane of the current event, and copy. F5 reloads, Ctrl+F goes to the filters, Enter applies them, Ctrl+C
    // copies the selected events as JSON lines.
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

        RemoteEventsModel *model() const { return m_model; }
        QTableView *view() const { return m_view; }

    private:
        void showCurrent();

        RemoteEventsModel *m_model;
        QTableView *m_view;
        QLineEdit *m_eventType;
        QLineEdit *m_userId;
        QLineEdit *m_since;
        QLineEdit *m_until;
        QPlainTextEdit *m_detail;
        QLabel *m_status;
        TimeDisplay m_timeDisplay = TimeDisplay::Utc;
    };
}
