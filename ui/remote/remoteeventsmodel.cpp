#include "ui/remote/remoteeventsmodel.h"

#include <QJsonDocument>

#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    namespace
    {
        QString eventDataText(const QJsonValue &value)
        {
            if (value.isObject())
                return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
            if (value.isArray())
                return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
            return value.toVariant().toString();
        }
    }

    RemoteEventsModel::RemoteEventsModel(QObject *parent)
        : QAbstractTableModel(parent)
    {
    }

    void RemoteEventsModel::setClient(Remote::OperatorClient *client)
    {
        m_client = client;
        reload();
    }

    void RemoteEventsModel::setFilter(const Remote::EventsFilter &filter)
    {
        m_filter = filter;
        reload();
    }

    void RemoteEventsModel::reload()
    {
        beginResetModel();
        m_rows.clear();
        m_nextPageToken.clear();
        ++m_generation;
        m_loading = false;
        endResetModel();
        fetchPage();
    }

    void RemoteEventsModel::setTimeDisplay(TimeDisplay display)
    {
        m_timeDisplay = display;
        if (!m_rows.isEmpty())
            emit dataChanged(index(0, TimeColumn), index(int(m_rows.size()) - 1, TimeColumn), {Qt::DisplayRole});
    }

    void RemoteEventsModel::fetchPage()
    {
        if (!m_client || m_loading)
            return;
        m_loading = true;
        const quint64 generation = m_generation;
        const int limit = qMin(PageSize, MaxRows - int(m_rows.size()));
        m_client->events(m_filter, limit, m_nextPageToken, this, [this, generation](Result<Remote::RemotePage> page) {
            if (generation != m_generation)
                return;
            m_loading = false;
            if (!page) {
                emit failed(page.error().message);
                return;
            }
            if (!page->rows.isEmpty()) {
                beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + page->rows.size()) - 1);
                for (QJsonObject &json : page->rows) {
                    const std::optional<qint64> micros = Time::parseTimestamp(json.value(u"timestamp"_s));
                    m_rows.append({std::move(json), micros});
                }
                endInsertRows();
            }
            m_nextPageToken = m_rows.size() >= MaxRows ? QString() : page->nextPageToken;
            emit loaded(int(m_rows.size()), hasMore());
        });
    }

    int RemoteEventsModel::rowCount(const QModelIndex &parent) const
    {
        return parent.isValid() ? 0 : int(m_rows.size());
    }

    int RemoteEventsModel::columnCount(const QModelIndex &parent) const
    {
        return parent.isValid() ? 0 : ColumnCount;
    }

    QVariant RemoteEventsModel::data(const QModelIndex &index, int role) const
    {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
            return {};
        if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
            return {};
        const Event &event = m_rows[index.row()];
        const QJsonObject &row = event.json;
        const QJsonObject eventData = row.value(u"event_data"_s).toObject();
        switch (index.column()) {
        case TimeColumn:
            return event.timeMicros ? timestampText(*event.timeMicros, m_timeDisplay) : row.value(u"timestamp"_s).toString();
        case EventIdColumn: return row.value(u"event_id"_s).toVariant().toString();
        case EventTypeColumn: return eventData.value(u"event_type"_s).toVariant().toString();
        case UserIdColumn: return eventData.value(u"user_id"_s).toVariant().toString();
        case DataColumn: {
            const QString text = eventDataText(row.value(u"event_data"_s));
            return role == Qt::ToolTipRole ? text.left(2000) : text.left(500);
        }
        default: return {};
        }
    }

    QVariant RemoteEventsModel::headerData(int section, Qt::Orientation orientation, int role) const
    {
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
            return QAbstractTableModel::headerData(section, orientation, role);
        switch (section) {
        case TimeColumn: return m_timeDisplay == TimeDisplay::Utc ? tr("timestamp (UTC)") : tr("timestamp (local)");
        case EventIdColumn: return tr("event_id");
        case EventTypeColumn: return tr("event_type");
        case UserIdColumn: return tr("user_id");
        case DataColumn: return tr("event_data");
        default: return {};
        }
    }

    bool RemoteEventsModel::canFetchMore(const QModelIndex &parent) const
    {
        return !parent.isValid() && hasMore() && !m_loading;
    }

    void RemoteEventsModel::fetchMore(const QModelIndex &parent)
    {
        if (canFetchMore(parent))
            fetchPage();
    }
}
