#include "ui/rows/rowstable.h"

#include <QCoreApplication>

#include "core/bigquery/bigqueryclient.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    namespace
    {
        QString tr(const char *text)
        {
            return QCoreApplication::translate("Aq::Ui::RowsTable", text);
        }
    }

    QString RowsTable::qualifiedName() const
    {
        return u"`%1.%2.%3`"_s.arg(project, dataset, table);
    }

    QString RowsTable::displayName() const
    {
        return u"%1.%2.%3"_s.arg(project, dataset, table);
    }

    Status RowsTable::validate() const
    {
        if (schema.isEmpty())
            return ApiError::failedPrecondition(tr("The schema of %1 is not known yet.").arg(displayName()));
        if (!schema.field(keyColumn))
            return ApiError::failedPrecondition(tr("The table %1 has no key column \"%2\".").arg(displayName(), keyColumn));
        const BigQuery::TableField *time = schema.field(timeColumn);
        if (time && (time->type != BigQuery::FieldType::Timestamp || time->isRepeated()))
            return ApiError::failedPrecondition(
                tr("The column \"%1\" of %2 is not a TIMESTAMP, so it cannot order the rows newest first.").arg(timeColumn, displayName()));
        return Ok {};
    }

    void RowsTable::describe(BigQuery::BigQueryClient *client, const QString &dataset, const QString &table, const QString &keyColumn,
                             QObject *context, std::function<void(Result<RowsTable>)> done)
    {
        client->getTable(dataset, table, context, [project = client->project(), keyColumn, done = std::move(done)](Result<BigQuery::TableInfo> info) {
            if (!info)
                return done(info.error());
            RowsTable described;
            described.project = project;
            described.dataset = info->dataset;
            described.table = info->table;
            described.schema = info->schema;
            described.keyColumn = keyColumn;
            if (!info->timePartitioningField.isEmpty() && !described.schema.field(described.timeColumn))
                described.timeColumn = info->timePartitioningField;
            done(described);
        });
    }
}
