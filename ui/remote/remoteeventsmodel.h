#pragma once

#include <optional>

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QPointer>

#include "core/remote/operatorclient.h"
#include "ui/rows/rowformat.h"

namespace Aq::Ui
{
    // The events of a remote `aqueduct serve`, newest first, from its GET /events: the first page when the filter
    // is set, then one page more each time the view scrolls to the end (canFetchMore/fetchMore), following the
    // server's page tokens. The API has no row count and no offsets, so unlike RowWindowModel this is a growing
    // list; it stops growing at MaxRows to keep memory bounded (narrow the filter to see further back).
    class RemoteEventsModel final : public QAbstractTableModel
    {
        Q_OBJECT

    public:
        enum Column
        {
            TimeColumn,
            EventIdColumn,
            EventTypeColumn,
            UserIdColumn,
            DataColumn,
            ColumnCount,
        };

        static constexpr int PageSize = 200;
        static constexpr int MaxRows = 50'000;

        explicit RemoteEventsModel(QObject *parent = nullptr);

        void setClient(Remote::OperatorClient *client);
        // Starts again from the newest event with this filter.
        void setFilter(const Remote::EventsFilter &filter);
        const Remote::EventsFilter &filter() const { return m_filter; }
        void reload();
        void setTimeDisplay(TimeDisplay display);

        QJsonObject event(int row) const { return row >= 0 && row < m_rows.size() ? m_rows[row].json : QJsonObject(); }
        bool isLoading() const { return m_loading; }
        bool hasMore() const { return !m_nextPageToken.isEmpty(); }

        int rowCount(const QModelIndex &parent = {}) const override;
        int columnCount(const QModelIndex &parent = {}) const override;
        QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
        QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
        bool canFetchMore(const QModelIndex &parent) const override;
        void fetchMore(const QModelIndex &parent) override;

    Q_SIGNALS:
        // A page came in (rows: how many are shown now).
        void loaded(int rows, bool more);
        void failed(const QString &message);

    private:
        // An event as /events gave it, and its timestamp read once on arrival rather than in every data() call.
        struct Event
        {
            QJsonObject json;
            std::optional<qint64> timeMicros;
        };

        void fetchPage();

        QPointer<Remote::OperatorClient> m_client;
        Remote::EventsFilter m_filter;
        QList<Event> m_rows;
        QString m_nextPageToken;
        TimeDisplay m_timeDisplay = TimeDisplay::Utc;
        quint64 m_generation = 0;
        bool m_loading = false;
    };
}
