#include "core/localcloud/bigqueryservice.h"

#include <utility>

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTimer>
#include <QUuid>

#include "core/common/timeutil.h"
#include "core/localcloud/batchedindex.h"
#include "core/localcloud/jsonfields.h"
#include "core/localcloud/jsonwriter.h"
#include "core/localcloud/rowcodec.h"

using namespace Qt::Literals::StringLiterals;
using Aq::BigQuery::FieldMode;
using Aq::BigQuery::FieldType;
using Aq::BigQuery::TableField;
using Aq::BigQuery::TableSchema;

Q_LOGGING_CATEGORY(lcBigQuery, "aq.localcloud.bigquery")

namespace Aq::LocalCloud
{
    namespace
    {
        constexpr int MAX_ROWS_PER_INSERT = 50000;
        constexpr qint64 MAX_ROWS_PER_COMMIT = 20000;   // insertAll requests stored together (one request may be more)
        constexpr qint64 DEFAULT_PAGE_ROWS = 100000;
        const QString SELF_LINK_BASE = u"https://bigquery.googleapis.com/bigquery/v2/"_s;

        qint64 nowMillis()
        {
            return QDateTime::currentMSecsSinceEpoch();
        }

        QString key(const QString &a, const QString &b)
        {
            return a + u'/' + b;
        }

        QString key(const QString &a, const QString &b, const QString &c)
        {
            return a + u'/' + b + u'/' + c;
        }

        QString etag(const QJsonObject &resource)
        {
            return QString::fromLatin1(QCryptographicHash::hash(QJsonDocument(resource).toJson(QJsonDocument::Compact), QCryptographicHash::Md5).toBase64());
        }

        QByteArray sqliteType(const TableField &field)
        {
            if (field.isRepeated() || field.type == FieldType::Record)
                return "TEXT";
            switch (field.type) {
            case FieldType::Bytes: return "BLOB";
            case FieldType::Int64:
            case FieldType::Bool:
            case FieldType::Timestamp: return "INTEGER";
            case FieldType::Float64: return "REAL";
            case FieldType::Numeric:
            case FieldType::BigNumeric: return "BLOB";   // no affinity: the exact decimal text stays text
            default: return "TEXT";
            }
        }

        ApiError datasetNotFound(const QString &project, const QString &dataset)
        {
            return ApiError::notFound(u"Not found: Dataset %1:%2"_s.arg(project, dataset));
        }

        ApiError tableNotFound(const QString &project, const QString &dataset, const QString &table)
        {
            return ApiError::notFound(u"Not found: Table %1:%2.%3"_s.arg(project, dataset, table));
        }

        QString encodeToken(const QByteArray &text)
        {
            return QString::fromLatin1(text.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        }

        std::optional<qint64> decodeToken(const QString &token, char kind)
        {
            const QByteArray text = QByteArray::fromBase64(token.toLatin1(), QByteArray::Base64UrlEncoding);
            if (text.size() < 3 || text[0] != kind || text[1] != ':')
                return std::nullopt;
            bool ok = false;
            const qint64 v = text.mid(2).toLongLong(&ok);
            if (!ok || v < 0)
                return std::nullopt;
            return v;
        }

        RowCodec::TimestampFormat timestampFormat(const LocalRequest &request, const QJsonObject &formatOptions = {})
        {
            const QString output = request.queryValue(u"formatOptions.timestampOutputFormat"_s, formatOptions.value(u"timestampOutputFormat"_s).toString());
            if (output == u"ISO8601_STRING"_s)
                return RowCodec::TimestampFormat::Iso8601;
            const QString int64 = request.queryValue(u"formatOptions.useInt64Timestamp"_s);
            if (int64 == u"true"_s || (int64.isEmpty() && formatOptions.value(u"useInt64Timestamp"_s).toBool()))
                return RowCodec::TimestampFormat::Int64Micros;
            if (output == u"INT64"_s)
                return RowCodec::TimestampFormat::Int64Micros;
            return RowCodec::TimestampFormat::FloatSeconds;
        }

        Result<QList<QueryParameter>> parseParameters(const QJsonObject &config)
        {
            QList<QueryParameter> out;
            const QString mode = config.value(u"parameterMode"_s).toString().toUpper();
            if (!mode.isEmpty() && mode != u"NAMED"_s && mode != u"POSITIONAL"_s)
                return ApiError::invalidArgument(u"Invalid parameterMode \"%1\": use NAMED or POSITIONAL."_s.arg(config.value(u"parameterMode"_s).toString()));
            const QJsonArray parameters = config.value(u"queryParameters"_s).toArray();
            for (const QJsonValue &value : parameters) {
                const QJsonObject parameter = value.toObject();
                QueryParameter p;
                p.name = parameter.value(u"name"_s).toString();
                if (mode == u"NAMED"_s && p.name.isEmpty())
                    return ApiError::invalidArgument(u"A named query parameter has no name."_s);
                const QJsonObject type = parameter.value(u"parameterType"_s).toObject();
                const QString typeName = type.value(u"type"_s).toString();
                if (typeName.compare(u"ARRAY"_s, Qt::CaseInsensitive) == 0 || typeName.compare(u"STRUCT"_s, Qt::CaseInsensitive) == 0)
                    return ApiError::invalidArgument(u"Query parameter %1 has type %2; the local cloud supports scalar parameters only."_s.arg(p.name, typeName), u"invalidQuery"_s);
                const std::optional<FieldType> fieldType = BigQuery::parseFieldType(typeName);
                if (!fieldType)
                    return ApiError::invalidArgument(u"Query parameter %1 has an unknown type \"%2\"."_s.arg(p.name, typeName), u"invalidQuery"_s);
                p.type = *fieldType;
                const QJsonValue v = parameter.value(u"parameterValue"_s).toObject().value(u"value"_s);
                if (v.isString())
                    p.value = v.toString();
                else if (v.isBool())
                    p.value = v.toBool() ? u"true"_s : u"false"_s;
                else if (v.isDouble())
                    p.value = RowCodec::formatDouble(v.toDouble());
                else if (!v.isNull() && !v.isUndefined())
                    return ApiError::invalidArgument(u"Query parameter %1 has a value that is not a scalar."_s.arg(p.name), u"invalidQuery"_s);
                out.append(p);
            }
            return out;
        }
    }

    BigQueryService::BigQueryService(SqliteDatabase &db, const QString &dataDir, Options options, QObject *parent)
        : QObject(parent)
        , m_db {db}
        , m_dataDir {dataDir}
        , m_options {options}
        , m_runner {dataDir}
        , m_writer {db, options.dedupWindowMicros}
        , m_indexTimer {new QTimer(this)}
    {
        m_indexTimer->setSingleShot(true);
        m_indexTimer->setInterval(options.indexIdleMs);
        connect(m_indexTimer, &QTimer::timeout, this, &BigQueryService::indexAllNewRows);
    }

    Status BigQueryService::load()
    {
        m_datasets.clear();
        m_tables.clear();
        Result<SqliteStatement *> datasets = m_db.prepare("SELECT project, dataset, resource FROM bq_datasets");
        if (!datasets)
            return datasets.error();
        while ((*datasets)->step()) {
            Dataset d;
            d.project = (*datasets)->text(0);
            d.name = (*datasets)->text(1);
            d.resource = QJsonDocument::fromJson((*datasets)->textUtf8(2)).object();
            m_datasets.insert(key(d.project, d.name), d);
        }
        Result<SqliteStatement *> tables = m_db.prepare("SELECT id, project, dataset, name, resource FROM bq_tables");
        if (!tables)
            return tables.error();
        QList<Table> loaded;
        while ((*tables)->step()) {
            Table t;
            t.id = (*tables)->int64(0);
            t.project = (*tables)->text(1);
            t.dataset = (*tables)->text(2);
            t.name = (*tables)->text(3);
            t.resource = QJsonDocument::fromJson((*tables)->textUtf8(4)).object();
            if (t.resource.contains(u"schema"_s)) {
                Result<TableSchema> schema = TableSchema::fromJson(t.resource.value(u"schema"_s));
                if (schema)
                    t.schema = schema.value();
            }
            t.lastModified = t.resource.value(u"lastModifiedTime"_s).toString().toLongLong();
            loaded.append(t);
        }
        for (Table &t : loaded) {
            Result<SqliteStatement *> max = m_db.prepare("SELECT IFNULL(MAX(_aq_seq), 0) FROM " + t.sqliteName());
            if (!max)
                return max.error();
            (*max)->step();
            t.rowCount = (*max)->int64(0);
            (*max)->reset();
            // Tables made before that index existed get it once (a few seconds a million rows), and lose the
            // composite clustering index it makes redundant (see createSqliteTable).
            if (const QByteArray index = clusteringPartitionIndex(t); !index.isEmpty()) {
                if (Status s = m_db.exec(index + "DROP INDEX IF EXISTS " + t.sqliteName() + "_clustering;"); !s)
                    return s.error();
            }
            // Key tables are made and filled for tables from before they existed, and rows stored after the last
            // batch before a stop are indexed now.
            t.batchedIndexes = BatchedIndex::columnsOf(t.sqliteName(), t.resource, t.schema);
            if (!t.batchedIndexes.isEmpty()) {
                if (Status s = m_db.exec(BatchedIndex::createSql(t.batchedIndexes)); !s)
                    return s.error();
                Result<qint64> indexed = BatchedIndex::indexedThrough(m_db, t.id);
                if (!indexed)
                    return indexed.error();
                t.indexedThrough = *indexed;
                if (Status s = indexNewRows(t); !s)
                    return s.error();
            }
            m_tables.insert(key(t.project, t.dataset, t.name), t);
        }
        return m_writer.load();
    }

    // ---- datasets -------------------------------------------------------------------------------

    Result<QJsonObject> BigQueryService::insertDataset(const QString &project, const QJsonObject &body)
    {
        const QJsonObject reference = body.value(u"datasetReference"_s).toObject();
        const QString dataset = reference.value(u"datasetId"_s).toString();
        static const QRegularExpression pattern(u"^[A-Za-z0-9_]{1,1024}$"_s);
        if (dataset.isEmpty())
            return ApiError::invalidArgument(u"datasetReference.datasetId is required."_s);
        if (!pattern.match(dataset).hasMatch())
            return ApiError::invalidArgument(u"Invalid dataset ID \"%1\". Dataset IDs must be alphanumeric (plus underscores) and must be at most 1024 characters long."_s.arg(dataset));
        const QString refProject = reference.value(u"projectId"_s).toString();
        if (!refProject.isEmpty() && refProject != project)
            return ApiError::invalidArgument(u"datasetReference.projectId \"%1\" does not match the project in the URL \"%2\"."_s.arg(refProject, project));
        if (m_datasets.contains(key(project, dataset)))
            return ApiError::alreadyExists(u"Already Exists: Dataset %1:%2"_s.arg(project, dataset));
        const QString now = QString::number(nowMillis());
        QJsonObject resource {
            {u"kind"_s, u"bigquery#dataset"_s},
            {u"id"_s, u"%1:%2"_s.arg(project, dataset)},
            {u"selfLink"_s, QString(SELF_LINK_BASE + u"projects/%1/datasets/%2"_s.arg(project, dataset))},
            {u"datasetReference"_s, QJsonObject {{u"projectId"_s, project}, {u"datasetId"_s, dataset}}},
            {u"location"_s, body.value(u"location"_s).toString(u"US"_s)},
            {u"creationTime"_s, now},
            {u"lastModifiedTime"_s, now},
            {u"type"_s, u"DEFAULT"_s},
        };
        for (const QString &field : {u"friendlyName"_s, u"description"_s, u"labels"_s, u"defaultTableExpirationMs"_s})
            if (body.contains(field))
                resource.insert(field, body.value(field));
        resource.insert(u"etag"_s, etag(resource));
        if (Status s = m_db.execute("INSERT INTO bq_datasets(project, dataset, resource) VALUES(?1, ?2, ?3)",
                                    {project, dataset, JsonFields::compactText(resource)}, u"insert dataset"_s); !s)
            return s.error();
        m_datasets.insert(key(project, dataset), Dataset {project, dataset, resource});
        return resource;
    }

    Result<QJsonObject> BigQueryService::getDataset(const QString &project, const QString &dataset) const
    {
        const auto it = m_datasets.constFind(key(project, dataset));
        if (it == m_datasets.cend())
            return datasetNotFound(project, dataset);
        return it->resource;
    }

    Result<QJsonObject> BigQueryService::patchDataset(const QString &project, const QString &dataset, const QJsonObject &body)
    {
        auto it = m_datasets.find(key(project, dataset));
        if (it == m_datasets.end())
            return datasetNotFound(project, dataset);
        QJsonObject resource = it->resource;
        for (const QString &field : {u"friendlyName"_s, u"description"_s, u"labels"_s, u"defaultTableExpirationMs"_s})
            if (body.contains(field))
            {
                if (body.value(field).isNull())
                    resource.remove(field);
                else
                    resource.insert(field, body.value(field));
            }
        resource.insert(u"lastModifiedTime"_s, QString::number(nowMillis()));
        resource.insert(u"etag"_s, etag(resource));
        if (Status s = m_db.execute("UPDATE bq_datasets SET resource=?3 WHERE project=?1 AND dataset=?2",
                                    {project, dataset, JsonFields::compactText(resource)}, u"patch dataset"_s); !s)
            return s.error();
        it->resource = resource;
        return resource;
    }

    Result<QJsonObject> BigQueryService::listDatasets(const QString &project, const LocalRequest &request) const
    {
        QStringList names;
        for (const Dataset &d : m_datasets) {
            if (d.project == project)
                names.append(d.name);
        }
        names.sort();
        qint64 maxResults = request.queryValue(u"maxResults"_s).toLongLong();
        if (maxResults <= 0)
            maxResults = 1000;
        const qint64 start = decodeToken(request.queryValue(u"pageToken"_s), 'o').value_or(0);
        QJsonArray datasets;
        for (qint64 i = start; i < names.size() && datasets.size() < maxResults; ++i) {
            const QJsonObject &r = m_datasets.find(key(project, names[i]))->resource;
            datasets.append(QJsonObject {{u"kind"_s, u"bigquery#dataset"_s}, {u"id"_s, r.value(u"id"_s)},
                                         {u"datasetReference"_s, r.value(u"datasetReference"_s)}, {u"location"_s, r.value(u"location"_s)}});
        }
        QJsonObject out {{u"kind"_s, u"bigquery#datasetList"_s}, {u"etag"_s, u"local"_s}};
        if (!datasets.isEmpty())
            out.insert(u"datasets"_s, datasets);
        if (start + datasets.size() < names.size())
            out.insert(u"nextPageToken"_s, encodeToken("o:" + QByteArray::number(start + datasets.size())));
        return out;
    }

    Result<QJsonObject> BigQueryService::deleteDataset(const QString &project, const QString &dataset, bool deleteContents)
    {
        if (!m_datasets.contains(key(project, dataset)))
            return datasetNotFound(project, dataset);
        QList<QString> tables;
        for (const Table &t : m_tables) {
            if (t.project == project && t.dataset == dataset)
                tables.append(t.name);
        }
        if (!tables.isEmpty() && !deleteContents) {
            ApiError e = ApiError::invalidArgument(u"Dataset %1:%2 is still in use: it has %3 table(s). Delete them first or pass deleteContents=true."_s
                                                       .arg(project, dataset)
                                                       .arg(tables.size()),
                                                   u"resourceInUse"_s);
            return e;
        }
        for (const QString &table : tables) {
            Result<QJsonObject> deleted = deleteTable(project, dataset, table);
            if (!deleted)
                return deleted.error();
        }
        if (Status s = m_db.execute("DELETE FROM bq_datasets WHERE project=?1 AND dataset=?2",
                                    {project, dataset}, u"delete dataset"_s); !s)
            return s.error();
        m_datasets.remove(key(project, dataset));
        return QJsonObject();
    }

    // ---- tables ---------------------------------------------------------------------------------

    BigQueryService::Table *BigQueryService::findTable(const QString &project, const QString &dataset, const QString &table)
    {
        const auto it = m_tables.find(key(project, dataset, table));
        return it == m_tables.end() ? nullptr : &it.value();
    }

    const BigQueryService::Table *BigQueryService::findTable(const QString &project, const QString &dataset, const QString &table) const
    {
        const auto it = m_tables.constFind(key(project, dataset, table));
        return it == m_tables.cend() ? nullptr : &it.value();
    }

    QJsonObject BigQueryService::tableResource(const Table &table) const
    {
        QJsonObject resource = table.resource;
        resource.insert(u"numRows"_s, QString::number(table.rowCount));
        resource.insert(u"numBytes"_s, u"0"_s);
        resource.insert(u"lastModifiedTime"_s, QString::number(table.lastModified));
        resource.insert(u"etag"_s, etag(resource));
        return resource;
    }

    Status BigQueryService::createSqliteTable(const Table &table)
    {
        QByteArray sql = "CREATE TABLE " + table.sqliteName() + "(\"_aq_seq\" INTEGER PRIMARY KEY";
        for (const TableField &field : table.schema.fields)
            sql += ", " + quotedIdentifier(field.name) + ' ' + sqliteType(field);
        sql += ");";
        // Indexes serve what the seeds' services ask: newest first by the partition column, and filters on
        // the clustering columns.
        const QString partition = table.resource.value(u"timePartitioning"_s).toObject().value(u"field"_s).toString();
        if (const TableField *field = table.schema.field(partition))
            sql += "CREATE INDEX " + table.sqliteName() + "_partition ON " + table.sqliteName() + '(' + quotedIdentifier(field->name) + ");";
        const QJsonArray clustering = table.resource.value(u"clustering"_s).toObject().value(u"fields"_s).toArray();
        const QByteArray firstWithPartition = clusteringPartitionIndex(table);
        if (!clustering.isEmpty()) {
            // All the clustering columns in one index, unless the first one's filters are served with the partition
            // column (below): then that and the later columns' own indexes serve every filter the composite did,
            // and a composite led by a low-cardinality column with a random key after it (event_type, event_id)
            // costs a random B-tree page per stored row.
            if (firstWithPartition.isEmpty()) {
                QByteArray columns;
                for (const QJsonValue &v : clustering)
                    columns += (columns.isEmpty() ? "" : ", ") + quotedIdentifier(v.toString());
                sql += "CREATE INDEX " + table.sqliteName() + "_clustering ON " + table.sqliteName() + '(' + columns + ");";
            }
            // The later clustering columns alone too (the composite serves only filters that start with the first):
            // Aqueduct clusters by event_type, then the key column, which /api/v1/{id} looks rows up by. STRING and
            // BYTES ones are indexed in batches instead (batchedindex.h).
            for (qsizetype i = 1; i < clustering.size(); ++i) {
                const TableField *field = table.schema.field(clustering[i].toString());
                if (field && !BatchedIndex::isBatched(*field))
                    sql += "CREATE INDEX " + table.sqliteName() + "_clustering_" + QByteArray::number(i) + " ON " + table.sqliteName() + '(' +
                           quotedIdentifier(field->name) + ");";
            }
        }
        return m_db.exec(sql + firstWithPartition + BatchedIndex::createSql(table.batchedIndexes));
    }

    QByteArray BigQueryService::clusteringPartitionIndex(const Table &table)
    {
        // The first clustering column, then the partition column: "event_type = X, newest first" (GET /events and
        // the Rows page filtered by type) reads a range of it in order, where the clustering index alone makes
        // SQLite sort every row of that type. BigQuery keeps a partition's rows sorted by the clustering
        // columns, so it prunes such a query the same way.
        const QString partition = table.resource.value(u"timePartitioning"_s).toObject().value(u"field"_s).toString();
        const QString first = table.resource.value(u"clustering"_s).toObject().value(u"fields"_s).toArray().at(0).toString();
        if (!table.schema.field(partition) || !table.schema.field(first) || first == partition)
            return {};
        return "CREATE INDEX IF NOT EXISTS " + table.sqliteName() + "_clustering_partition ON " + table.sqliteName() + '(' + quotedIdentifier(first) + ", " +
               quotedIdentifier(partition) + ");";
    }

    Result<QJsonObject> BigQueryService::insertTable(const QString &project, const QString &dataset, const QJsonObject &body)
    {
        if (!m_datasets.contains(key(project, dataset)))
            return datasetNotFound(project, dataset);
        const QJsonObject reference = body.value(u"tableReference"_s).toObject();
        const QString name = reference.value(u"tableId"_s).toString();
        static const QRegularExpression pattern(u"^[\\p{L}\\p{M}\\p{N}\\p{Pc}\\p{Pd}]{1,1024}$"_s);
        if (name.isEmpty())
            return ApiError::invalidArgument(u"tableReference.tableId is required."_s);
        if (!pattern.match(name).hasMatch())
            return ApiError::invalidArgument(u"Invalid table ID \"%1\". Table IDs must be letters, marks, numbers, connectors or dashes, at most 1024 characters."_s.arg(name));
        if ((!reference.value(u"projectId"_s).toString().isEmpty() && reference.value(u"projectId"_s).toString() != project)
            || (!reference.value(u"datasetId"_s).toString().isEmpty() && reference.value(u"datasetId"_s).toString() != dataset))
            return ApiError::invalidArgument(u"tableReference does not match the project and dataset in the URL."_s);
        if (findTable(project, dataset, name))
            return ApiError::alreadyExists(u"Already Exists: Table %1:%2.%3"_s.arg(project, dataset, name));
        for (const char *unsupported : {"view", "materializedView", "externalDataConfiguration", "rangePartitioning"}) {
            if (body.contains(QLatin1StringView(unsupported)))
                return ApiError::invalidArgument(u"%1 tables are not supported by the local cloud."_s.arg(QLatin1StringView(unsupported)));
        }
        Table table;
        table.project = project;
        table.dataset = dataset;
        table.name = name;
        if (body.contains(u"schema"_s)) {
            Result<TableSchema> schema = TableSchema::fromJson(body.value(u"schema"_s));
            if (!schema)
                return schema.error();
            table.schema = schema.value();
        }
        const QJsonObject partitioning = body.value(u"timePartitioning"_s).toObject();
        if (body.contains(u"timePartitioning"_s)) {
            const QString type = partitioning.value(u"type"_s).toString(u"DAY"_s);
            if (type != u"DAY"_s && type != u"HOUR"_s && type != u"MONTH"_s && type != u"YEAR"_s)
                return ApiError::invalidArgument(u"Invalid timePartitioning.type \"%1\": use DAY, HOUR, MONTH or YEAR."_s.arg(type));
            const QString field = partitioning.value(u"field"_s).toString();
            if (!field.isEmpty()) {
                const TableField *f = table.schema.field(field);
                if (!f)
                    return ApiError::invalidArgument(u"The field specified for time partitioning can only be found in the schema: %1 is not a column."_s.arg(field));
                if (f->isRepeated() || (f->type != FieldType::Timestamp && f->type != FieldType::Date && f->type != FieldType::Datetime))
                    return ApiError::invalidArgument(u"Partitioning field %1 must be a top-level TIMESTAMP, DATE or DATETIME column."_s.arg(field));
            }
        }
        const QJsonArray clustering = body.value(u"clustering"_s).toObject().value(u"fields"_s).toArray();
        if (clustering.size() > 4)
            return ApiError::invalidArgument(u"At most 4 clustering fields are allowed."_s);
        for (const QJsonValue &v : clustering) {
            const TableField *f = table.schema.field(v.toString());
            if (!f || f->isRepeated() || f->type == FieldType::Record || f->type == FieldType::Json || f->type == FieldType::Float64)
                return ApiError::invalidArgument(u"Clustering field %1 must be a top-level, non-repeated column of a clusterable type."_s.arg(v.toString()));
        }
        const qint64 now = nowMillis();
        QJsonObject resource {
            {u"kind"_s, u"bigquery#table"_s},
            {u"id"_s, u"%1:%2.%3"_s.arg(project, dataset, name)},
            {u"selfLink"_s, QString(SELF_LINK_BASE + u"projects/%1/datasets/%2/tables/%3"_s.arg(project, dataset, name))},
            {u"tableReference"_s, QJsonObject {{u"projectId"_s, project}, {u"datasetId"_s, dataset}, {u"tableId"_s, name}}},
            {u"creationTime"_s, QString::number(now)},
            {u"type"_s, u"TABLE"_s},
            {u"location"_s, m_datasets.value(key(project, dataset)).resource.value(u"location"_s).toString(u"US"_s)},
        };
        if (!table.schema.isEmpty())
            resource.insert(u"schema"_s, table.schema.toJson());
        for (const QString &field : {u"timePartitioning"_s, u"clustering"_s, u"description"_s, u"labels"_s, u"friendlyName"_s,
                                     u"expirationTime"_s, u"requirePartitionFilter"_s})
            if (body.contains(field))
                resource.insert(field, body.value(field));
        table.resource = resource;
        table.lastModified = now;

        SqliteTransaction transaction(m_db);
        if (Status s = m_db.execute("INSERT INTO bq_tables(project, dataset, name, resource) VALUES(?1, ?2, ?3, ?4)",
                                    {project, dataset, name, JsonFields::compactText(resource)}, u"insert table"_s); !s)
            return s.error();
        table.id = m_db.lastInsertRowId();
        table.batchedIndexes = BatchedIndex::columnsOf(table.sqliteName(), table.resource, table.schema);
        if (Status s = createSqliteTable(table); !s)
            return s.error();
        if (Status s = transaction.commit(); !s)
            return s.error();
        m_tables.insert(key(project, dataset, name), table);
        return tableResource(table);
    }

    Result<QJsonObject> BigQueryService::getTable(const QString &project, const QString &dataset, const QString &table) const
    {
        if (!m_datasets.contains(key(project, dataset)))
            return datasetNotFound(project, dataset);
        const Table *t = findTable(project, dataset, table);
        if (!t)
            return tableNotFound(project, dataset, table);
        return tableResource(*t);
    }

    Result<QJsonObject> BigQueryService::patchTable(const QString &project, const QString &dataset, const QString &table, const QJsonObject &body)
    {
        Table *t = findTable(project, dataset, table);
        if (!t)
            return tableNotFound(project, dataset, table);
        QJsonObject resource = t->resource;
        QByteArray alter;
        TableSchema newSchema = t->schema;
        if (body.contains(u"schema"_s)) {
            Result<TableSchema> schema = TableSchema::fromJson(body.value(u"schema"_s));
            if (!schema)
                return schema.error();
            // Only additive changes: every old column stays, with its type; new ones are appended NULLABLE or REPEATED.
            for (const TableField &old : t->schema.fields) {
                const TableField *now = schema->field(old.name);
                if (!now || now->type != old.type || now->isRepeated() != old.isRepeated() || (now->isRequired() && !old.isRequired()) || now->fields != old.fields)
                    return ApiError::invalidArgument(u"Provided Schema does not match Table %1:%2.%3. Field %4 is missing or changed; only new NULLABLE or REPEATED fields may be added."_s
                                                         .arg(project, dataset, table, old.name));
            }
            for (const TableField &field : schema->fields) {
                if (t->schema.field(field.name))
                    continue;
                if (field.isRequired())
                    return ApiError::invalidArgument(u"Field %1 is REQUIRED; a field added to an existing table must be NULLABLE or REPEATED."_s.arg(field.name));
                alter += "ALTER TABLE " + t->sqliteName() + " ADD COLUMN " + quotedIdentifier(field.name) + ' ' + sqliteType(field) + ';';
            }
            newSchema = schema.value();
            resource.insert(u"schema"_s, newSchema.toJson());
        }
        for (const QString &field : {u"description"_s, u"labels"_s, u"friendlyName"_s, u"expirationTime"_s, u"requirePartitionFilter"_s})
            if (body.contains(field))
            {
                if (body.value(field).isNull())
                    resource.remove(field);
                else
                    resource.insert(field, body.value(field));
            }
        SqliteTransaction transaction(m_db);
        if (!alter.isEmpty()) {
            if (Status s = m_db.exec(alter); !s)
                return s.error();
        }
        if (Status s = m_db.execute("UPDATE bq_tables SET resource=?2 WHERE id=?1",
                                    {t->id, JsonFields::compactText(resource)}, u"patch table"_s); !s)
            return s.error();
        if (Status s = transaction.commit(); !s)
            return s.error();
        t->resource = resource;
        t->schema = newSchema;
        t->lastModified = nowMillis();
        return tableResource(*t);
    }

    Result<QJsonObject> BigQueryService::listTables(const QString &project, const QString &dataset, const LocalRequest &request) const
    {
        if (!m_datasets.contains(key(project, dataset)))
            return datasetNotFound(project, dataset);
        QStringList names;
        for (const Table &t : m_tables) {
            if (t.project == project && t.dataset == dataset)
                names.append(t.name);
        }
        names.sort();
        qint64 maxResults = request.queryValue(u"maxResults"_s).toLongLong();
        if (maxResults <= 0)
            maxResults = 1000;
        const qint64 start = decodeToken(request.queryValue(u"pageToken"_s), 'o').value_or(0);
        QJsonArray tables;
        for (qint64 i = start; i < names.size() && tables.size() < maxResults; ++i) {
            const Table *t = findTable(project, dataset, names[i]);
            QJsonObject entry {{u"kind"_s, u"bigquery#table"_s}, {u"id"_s, t->resource.value(u"id"_s)},
                               {u"tableReference"_s, t->resource.value(u"tableReference"_s)}, {u"type"_s, u"TABLE"_s},
                               {u"creationTime"_s, t->resource.value(u"creationTime"_s)}};
            for (const QString &field : {u"timePartitioning"_s, u"clustering"_s, u"labels"_s})
                if (t->resource.contains(field))
                    entry.insert(field, t->resource.value(field));
            tables.append(entry);
        }
        QJsonObject out {{u"kind"_s, u"bigquery#tableList"_s}, {u"etag"_s, u"local"_s}, {u"totalItems"_s, int(names.size())}};
        if (!tables.isEmpty())
            out.insert(u"tables"_s, tables);
        if (start + tables.size() < names.size())
            out.insert(u"nextPageToken"_s, encodeToken("o:" + QByteArray::number(start + tables.size())));
        return out;
    }

    Result<QJsonObject> BigQueryService::deleteTable(const QString &project, const QString &dataset, const QString &table)
    {
        Table *t = findTable(project, dataset, table);
        if (!t)
            return tableNotFound(project, dataset, table);
        const QByteArray id = QByteArray::number(t->id);
        SqliteTransaction transaction(m_db);
        const Status s = m_db.exec("DROP TABLE IF EXISTS " + t->sqliteName() + ";DELETE FROM bq_tables WHERE id=" + id
                                   + ";DELETE FROM bq_insert_id_log_0 WHERE table_id=" + id + ";DELETE FROM bq_insert_id_log_1 WHERE table_id=" + id + ";"
                                   + BatchedIndex::dropSql(t->id, t->batchedIndexes));
        if (!s)
            return s.error();
        if (Status c = transaction.commit(); !c)
            return c.error();
        m_writer.forgetTable(t->id);
        m_tables.remove(key(project, dataset, table));
        return QJsonObject();
    }

    // ---- rows -----------------------------------------------------------------------------------

    void BigQueryService::insertAll(const QString &project, const QString &dataset, const QString &tableName, const QByteArray &body, LocalResponder respond)
    {
        if (body.size() > m_options.maxInsertAllBytes)
            return respond(LocalResponse::error(ApiError::invalidArgument(u"Request payload size exceeds the limit: %1 bytes."_s.arg(m_options.maxInsertAllBytes))));
        if (!m_datasets.contains(key(project, dataset)))
            return respond(LocalResponse::error(datasetNotFound(project, dataset)));
        const Table *table = findTable(project, dataset, tableName);
        if (!table)
            return respond(LocalResponse::error(tableNotFound(project, dataset, tableName)));
        if (table->schema.isEmpty())
            return respond(LocalResponse::error(ApiError::invalidArgument(u"Table %1:%2.%3 has no schema; give it one before inserting rows."_s.arg(project, dataset, tableName))));
        const TableSchema schema = table->schema;
        const qint64 tableId = table->id;
        const QString tableKey = key(project, dataset, tableName);
        m_runner.run<Result<RowCodec::DecodedInsert>>(
            [schema, body] { return RowCodec::decodeInsertAll(schema, body, MAX_ROWS_PER_INSERT); },
            [this, tableKey, tableId, schema, body, respond = std::move(respond)](Result<RowCodec::DecodedInsert> decoded) mutable {
                // Requests decoded meanwhile are stored together, in one transaction (see storePendingInserts).
                m_pendingInserts.push_back({tableKey, tableId, schema, body, std::move(decoded), std::move(respond)});
                if (!m_storeScheduled) {
                    m_storeScheduled = true;
                    QMetaObject::invokeMethod(this, &BigQueryService::storePendingInserts, Qt::QueuedConnection);
                }
            });
    }

    void BigQueryService::storePendingInserts()
    {
        // Every request that the pool finished decoding before this ran is here: they share one transaction
        // (one commit, one write of the pages they share to the WAL). Each reply still waits for the commit.
        m_storeScheduled = false;
        std::vector<PendingInsert> pending;
        pending.swap(m_pendingInserts);
        // A bounded group, so that the first of many waiting requests is not kept long: the rest go next.
        qint64 rows = 0;
        for (size_t i = 0; i < pending.size(); ++i) {
            rows += pending[i].decoded ? pending[i].decoded->rows.rowCount() : 0;
            if (rows >= MAX_ROWS_PER_COMMIT && i + 1 < pending.size()) {
                std::move(pending.begin() + qsizetype(i) + 1, pending.end(), std::back_inserter(m_pendingInserts));
                pending.erase(pending.begin() + qsizetype(i) + 1, pending.end());
                m_storeScheduled = true;
                QMetaObject::invokeMethod(this, &BigQueryService::storePendingInserts, Qt::QueuedConnection);
                break;
            }
        }
        std::vector<PendingInsert *> storing;
        std::vector<InsertAllWriter::Request> requests;
        for (PendingInsert &insert : pending) {
            if (!insert.decoded) {
                insert.respond(LocalResponse::error(insert.decoded.error()));
                continue;
            }
            const auto it = m_tables.constFind(insert.tableKey);
            if (it == m_tables.cend() || it->id != insert.tableId) {
                insert.respond(LocalResponse::error(ApiError::notFound(u"Not found: Table %1 (deleted while the rows were on their way)"_s.arg(insert.tableKey))));
                continue;
            }
            if (!(it->schema == insert.schema)) {
                // the schema grew meanwhile: encode again against the one the rows will be stored with
                insert.schema = it->schema;
                insert.decoded = RowCodec::decodeInsertAll(insert.schema, insert.body, MAX_ROWS_PER_INSERT);
                if (!insert.decoded) {
                    insert.respond(LocalResponse::error(insert.decoded.error()));
                    continue;
                }
            }
            storing.push_back(&insert);
            requests.push_back({insert.tableId, it->sqliteName(), &insert.schema, &*insert.decoded});
        }
        if (requests.empty())
            return;
        const std::vector<Result<InsertAllWriter::Stored>> stored = m_writer.store(requests);
        QStringList storedInto;   // table keys
        for (size_t i = 0; i < storing.size(); ++i) {
            PendingInsert &insert = *storing[i];
            if (!stored[i]) {
                insert.respond(LocalResponse::error(stored[i].error()));
                continue;
            }
            if (stored[i]->rows) {
                Table &table = m_tables[insert.tableKey];
                table.rowCount += stored[i]->rows;
                table.lastModified = nowMillis();
                if (!storedInto.contains(insert.tableKey))
                    storedInto.append(insert.tableKey);
            }
            insert.respond(LocalResponse::raw(stored[i]->reply));
        }
        // After the replies, so that no insert waits for these.
        if (Status s = m_writer.hashLoggedIdsIfMany(); !s)
            qCWarning(lcBigQuery) << "hashing the logged insertIds failed; it is tried again after the next insert:" << s.error().message;
        for (const QString &tableKey : std::as_const(storedInto)) {
            Table &table = m_tables[tableKey];
            if (!table.batchedIndexes.isEmpty() && table.rowCount - table.indexedThrough >= m_options.indexBatchRows)
                indexNewRowsOrWarn(table);
        }
        if (!storedInto.isEmpty())
            m_indexTimer->start();
    }

    Status BigQueryService::indexNewRows(Table &table)
    {
        if (table.batchedIndexes.isEmpty() || table.rowCount <= table.indexedThrough)
            return Ok {};
        if (Status s = BatchedIndex::indexRows(m_db, table.id, table.sqliteName(), table.batchedIndexes, table.indexedThrough, table.rowCount); !s)
            return s;
        table.indexedThrough = table.rowCount;
        return Ok {};
    }

    void BigQueryService::indexAllNewRows()
    {
        for (Table &table : m_tables)
            indexNewRowsOrWarn(table);
    }

    void BigQueryService::indexNewRowsOrWarn(Table &table)
    {
        if (Status s = indexNewRows(table); !s)
            qCWarning(lcBigQuery) << "indexing the key column of" << table.sqliteName() << "failed; its look-ups scan the newest rows until it works:" << s.error().message;
    }

    void BigQueryService::listTableData(const QString &project, const QString &dataset, const QString &tableName, const LocalRequest &request, LocalResponder respond)
    {
        if (!m_datasets.contains(key(project, dataset)))
            return respond(LocalResponse::error(datasetNotFound(project, dataset)));
        const Table *table = findTable(project, dataset, tableName);
        if (!table)
            return respond(LocalResponse::error(tableNotFound(project, dataset, tableName)));
        PageRequest page;
        QByteArray columns;
        const QString selected = request.queryValue(u"selectedFields"_s);
        if (selected.isEmpty()) {
            page.schema = table->schema;
        } else {
            for (const QString &name : selected.split(u',', Qt::SkipEmptyParts)) {
                const TableField *field = table->schema.field(name.trimmed().section(u'.', 0, 0));
                if (!field)
                    return respond(LocalResponse::error(ApiError::invalidArgument(u"selectedFields: %1 is not a column of the table."_s.arg(name))));
                if (page.schema.indexOf(field->name) < 0)
                    page.schema.fields.append(*field);
            }
            // keep schema order, as BigQuery does
            std::sort(page.schema.fields.begin(), page.schema.fields.end(),
                      [&](const TableField &a, const TableField &b) { return table->schema.indexOf(a.name) < table->schema.indexOf(b.name); });
        }
        for (const TableField &field : page.schema.fields)
            columns += quotedIdentifier(field.name) + ", ";
        const QString token = request.queryValue(u"pageToken"_s);
        qint64 afterSeq = 0;
        if (!token.isEmpty()) {
            const std::optional<qint64> seq = decodeToken(token, 's');
            if (!seq)
                return respond(LocalResponse::error(ApiError::invalidArgument(u"Invalid pageToken: pass the pageToken of the previous page unchanged."_s)));
            afterSeq = *seq;
        } else if (request.hasQueryItem(u"startIndex"_s)) {
            bool ok = false;
            page.offset = request.queryValue(u"startIndex"_s).toLongLong(&ok);
            if (!ok || page.offset < 0)
                return respond(LocalResponse::error(ApiError::invalidArgument(u"Invalid startIndex: expected a row number from 0."_s)));
        }
        if (request.hasQueryItem(u"maxResults"_s)) {
            bool ok = false;
            page.maxRows = request.queryValue(u"maxResults"_s).toLongLong(&ok);
            if (!ok || page.maxRows < 0)
                return respond(LocalResponse::error(ApiError::invalidArgument(u"Invalid maxResults: expected a non-negative number."_s)));
        } else {
            page.maxRows = DEFAULT_PAGE_ROWS;
        }
        // Only the rows that existed when the request came: totalRows and the pages agree.
        const qint64 totalRows = table->rowCount;
        page.sql = "SELECT " + columns + "\"_aq_seq\" FROM " + table->sqliteName() + " WHERE \"_aq_seq\">?1 AND \"_aq_seq\"<=?2 ORDER BY \"_aq_seq\"";
        page.bindings = {SqlValue(afterSeq), SqlValue(totalRows)};
        page.lastColumnIsSeq = true;
        page.timestampFormat = timestampFormat(request);
        m_runner.fetchPage(page, [respond = std::move(respond), totalRows](Result<RowPage> result) {
            if (!result)
                return respond(LocalResponse::error(result.error()));
            QByteArray out = "{\"kind\":\"bigquery#tableDataList\",\"etag\":\"local\",\"totalRows\":\"" + QByteArray::number(totalRows) + '"';
            if (result->hasMore)
                out += ",\"pageToken\":\"" + encodeToken("s:" + QByteArray::number(result->lastSeq)).toLatin1() + '"';
            if (result->rowCount)
                out += ",\"rows\":" + result->rowsJson;
            out += '}';
            respond(LocalResponse::raw(out));
        });
    }

    // ---- queries and jobs -----------------------------------------------------------------------

    BigQueryService::Job *BigQueryService::findJob(const QString &project, const QString &jobId)
    {
        const auto it = m_jobs.find(key(project, jobId));
        return it == m_jobs.end() ? nullptr : &it.value();
    }

    Result<BigQueryService::Job *> BigQueryService::startJob(const QString &project, const QString &jobId, const QString &location,
                                                             const QJsonObject &queryConfig, bool dryRun, qint64 firstPageRows,
                                                             RowCodec::TimestampFormat format)
    {
        const QString sql = queryConfig.value(u"query"_s).toString();
        if (sql.trimmed().isEmpty())
            return ApiError::invalidArgument(u"The query is empty: set \"query\" to a GoogleSQL statement."_s, u"invalidQuery"_s);
        if (queryConfig.value(u"useLegacySql"_s).toBool(false))
            return ApiError::invalidArgument(u"Legacy SQL is not supported by the local cloud: set useLegacySql to false."_s, u"invalidQuery"_s);
        for (const char *unsupported : {"destinationTable", "tableDefinitions", "scriptOptions", "connectionProperties"}) {
            if (queryConfig.contains(QLatin1StringView(unsupported)))
                return ApiError::invalidArgument(u"%1 is not supported by the local cloud."_s.arg(QLatin1StringView(unsupported)));
        }
        Result<QList<QueryParameter>> parameters = parseParameters(queryConfig);
        if (!parameters)
            return parameters.error();
        TranslateOptions options;
        const QJsonObject defaultDataset = queryConfig.value(u"defaultDataset"_s).toObject();
        options.defaultProject = defaultDataset.value(u"projectId"_s).toString(project);
        options.defaultDataset = defaultDataset.value(u"datasetId"_s).toString();
        options.nowMicros = Time::nowMicros();
        auto catalog = [this](const QString &p, const QString &d, const QString &t) -> std::optional<SqlTable> {
            const Table *table = findTable(p, d, t);
            if (!table)
                return std::nullopt;
            return SqlTable {QString::fromLatin1(table->sqliteName()), table->schema, table->rowCount, table->batchedIndexes, table->indexedThrough};
        };
        Result<TranslatedQuery> translated = translateQuery(sql, *parameters, catalog, options);
        if (!translated)
            return translated.error();

        if (m_jobs.size() >= m_options.maxJobsKept) {
            // forget the oldest finished job
            auto oldest = m_jobs.end();
            for (auto it = m_jobs.begin(); it != m_jobs.end(); ++it) {
                if (it->state == JobState::Done && (oldest == m_jobs.end() || it->sequence < oldest->sequence))
                    oldest = it;
            }
            if (oldest != m_jobs.end())
                m_jobs.erase(oldest);
        }
        Job job;
        job.project = project;
        job.jobId = jobId;
        job.location = location;
        job.configuration = queryConfig;
        job.query = translated.value();
        job.dryRun = dryRun;
        job.creationTime = nowMillis();
        job.startTime = job.creationTime;
        job.sequence = ++m_jobSequence;
        Job &stored = m_jobs.insert(key(project, jobId), job).value();
        if (dryRun) {
            finishJob(stored, std::nullopt, 0);
            return &stored;
        }
        // One run of the query gives totalRows (BigQuery sends it with every page) and the first page, which
        // jobs.query answers with: the page is not read a second time, nor the result counted by a second run.
        PageRequest run = pageRequest(stored, 0, firstPageRows, format);
        run.countTotal = true;
        const QString jobKey = key(project, jobId);
        m_runner.fetchPage(run, [this, jobKey, firstPageRows, format](Result<RowPage> result) {
            auto it = m_jobs.find(jobKey);
            if (it == m_jobs.end())
                return;
            if (!result)
                return finishJob(*it, result.error(), 0);
            if (firstPageRows > 0) {
                it->firstPage = std::move(result.value());
                it->firstPageRows = firstPageRows;
                it->firstPageFormat = format;
            }
            finishJob(*it, std::nullopt, result->totalRows);
        });
        return &stored;
    }

    void BigQueryService::finishJob(Job &job, std::optional<ApiError> error, qint64 totalRows)
    {
        if (job.state == JobState::Done)
            return;
        job.state = JobState::Done;
        job.error = std::move(error);
        job.totalRows = totalRows;
        job.endTime = nowMillis();
        const QList<std::function<void()>> callbacks = std::move(job.whenDone);
        job.whenDone.clear();
        for (const auto &callback : callbacks)
            callback();
    }

    void BigQueryService::whenJobDone(Job &job, int timeoutMs, std::function<void()> callback)
    {
        if (job.state == JobState::Done || timeoutMs <= 0)
            return callback();
        // Either the job finishes or the timeout fires first; the callback runs once.
        auto fired = std::make_shared<bool>(false);
        auto once = [fired, callback]() {
            if (*fired)
                return;
            *fired = true;
            callback();
        };
        job.whenDone.append(once);
        QTimer::singleShot(timeoutMs, this, once);
    }

    QJsonObject BigQueryService::jobResource(const Job &job) const
    {
        QJsonObject configuration {{u"jobType"_s, u"QUERY"_s}, {u"query"_s, job.configuration}};
        if (job.dryRun)
            configuration.insert(u"dryRun"_s, true);
        QJsonObject status {{u"state"_s, job.state == JobState::Done ? u"DONE"_s : u"RUNNING"_s}};
        if (job.error) {
            const QJsonObject errorProto {{u"reason"_s, job.error->reason}, {u"message"_s, job.error->message}, {u"location"_s, u"query"_s}};
            status.insert(u"errorResult"_s, errorProto);
            status.insert(u"errors"_s, QJsonArray {errorProto});
        }
        QJsonObject queryStatistics {{u"totalBytesProcessed"_s, u"0"_s}, {u"totalBytesBilled"_s, u"0"_s}, {u"cacheHit"_s, false},
                                     {u"statementType"_s, job.query.statementType}};
        if (job.state == JobState::Done && !job.error)
            queryStatistics.insert(u"schema"_s, job.query.resultSchema.toJson());
        QJsonObject statistics {{u"creationTime"_s, QString::number(job.creationTime)}, {u"startTime"_s, QString::number(job.startTime)},
                                {u"totalBytesProcessed"_s, u"0"_s}, {u"query"_s, queryStatistics}};
        if (job.state == JobState::Done)
            statistics.insert(u"endTime"_s, QString::number(job.endTime));
        QJsonObject resource {
            {u"kind"_s, u"bigquery#job"_s},
            {u"id"_s, u"%1:%2.%3"_s.arg(job.project, job.location, job.jobId)},
            {u"selfLink"_s, QString(SELF_LINK_BASE + u"projects/%1/jobs/%2?location=%3"_s.arg(job.project, job.jobId, job.location))},
            {u"jobReference"_s, QJsonObject {{u"projectId"_s, job.project}, {u"jobId"_s, job.jobId}, {u"location"_s, job.location}}},
            {u"configuration"_s, configuration},
            {u"status"_s, status},
            {u"statistics"_s, statistics},
            {u"user_email"_s, u"local@aqueduct"_s},
        };
        resource.insert(u"etag"_s, etag(resource));
        return resource;
    }

    void BigQueryService::respondWithPage(Job &job, const QString &kind, qint64 offset, qint64 maxRows, RowCodec::TimestampFormat format, LocalResponder respond)
    {
        const QByteArray jobReference = QJsonDocument(QJsonObject {{u"projectId"_s, job.project}, {u"jobId"_s, job.jobId}, {u"location"_s, job.location}})
                                            .toJson(QJsonDocument::Compact);
        QByteArray head = "{\"kind\":\"" + kind.toLatin1() + "\",\"etag\":\"local\",\"jobReference\":" + jobReference;
        if (job.state != JobState::Done)
            return respond(LocalResponse::raw(head + ",\"jobComplete\":false}"));
        if (job.error)
            return respond(LocalResponse::error(*job.error));
        head += ",\"schema\":" + QJsonDocument(job.query.resultSchema.toJson()).toJson(QJsonDocument::Compact) + ",\"totalBytesProcessed\":\"0\",\"jobComplete\":true,\"cacheHit\":false";
        if (job.query.statementType != u"SELECT"_s)
            head += ",\"statementType\":\"" + job.query.statementType.toLatin1() + '"';
        const qint64 totalRows = job.totalRows;
        if (job.dryRun || maxRows == 0 || offset >= totalRows) {
            QByteArray out = head + ",\"totalRows\":\"" + QByteArray::number(job.dryRun ? 0 : totalRows) + '"';
            if (!job.dryRun && offset < totalRows)
                out += ",\"pageToken\":\"" + encodeToken("o:" + QByteArray::number(offset)).toLatin1() + '"';
            return respond(LocalResponse::raw(out + '}'));
        }
        auto send = [respond = std::move(respond), head, offset, totalRows](Result<RowPage> result) {
            if (!result)
                return respond(LocalResponse::error(result.error()));
            QByteArray out = head + ",\"totalRows\":\"" + QByteArray::number(totalRows) + '"';
            const qint64 next = offset + result->rowCount;
            if (next < totalRows && result->rowCount > 0)
                out += ",\"pageToken\":\"" + encodeToken("o:" + QByteArray::number(next)).toLatin1() + '"';
            if (result->rowCount)
                out += ",\"rows\":" + result->rowsJson;
            respond(LocalResponse::raw(out + '}'));
        };
        // The first complete response is the one the page was read for; any other asks for other rows.
        std::optional<RowPage> first = std::exchange(job.firstPage, std::nullopt);
        if (first && offset == 0 && maxRows == job.firstPageRows && format == job.firstPageFormat)
            return send(std::move(*first));
        m_runner.fetchPage(pageRequest(job, offset, maxRows, format), std::move(send));
    }

    PageRequest BigQueryService::pageRequest(const Job &job, qint64 offset, qint64 maxRows, RowCodec::TimestampFormat format)
    {
        PageRequest page;
        page.sql = job.query.sql;
        page.bindings = job.query.bindings;
        page.schema = job.query.resultSchema;
        page.offset = offset;
        page.maxRows = maxRows;
        page.timestampFormat = format;
        return page;
    }

    void BigQueryService::query(const QString &project, const QJsonObject &body, LocalResponder respond)
    {
        const QString requestId = body.value(u"requestId"_s).toString();
        if (requestId.size() > 36)
            return respond(LocalResponse::error(ApiError::invalidArgument(u"requestId must be at most 36 characters."_s)));
        Result<qint64> maxResults = JsonFields::integer(body, "maxResults", nullptr, -1, 0, std::numeric_limits<qint64>::max());
        if (!maxResults)
            return respond(LocalResponse::error(maxResults.error()));
        Result<qint64> timeoutMs = JsonFields::integer(body, "timeoutMs", nullptr, 10000, 0, 200000);
        if (!timeoutMs)
            return respond(LocalResponse::error(timeoutMs.error()));
        const QString location = body.value(u"location"_s).toString(u"US"_s);
        const RowCodec::TimestampFormat format = timestampFormat(LocalRequest(), body.value(u"formatOptions"_s).toObject());
        const qint64 rows = *maxResults < 0 ? DEFAULT_PAGE_ROWS : *maxResults;
        Job *job = nullptr;
        if (!requestId.isEmpty() && m_requestIds.contains(requestId))
            job = m_jobs.contains(m_requestIds.value(requestId)) ? &m_jobs[m_requestIds.value(requestId)] : nullptr;
        if (!job) {
            const QString jobId = u"job_"_s + QUuid::createUuid().toString(QUuid::Id128);
            Result<Job *> started = startJob(project, jobId, location, body, body.value(u"dryRun"_s).toBool(), rows, format);
            if (!started)
                return respond(LocalResponse::error(started.error()));
            job = *started;
            if (!requestId.isEmpty())
                m_requestIds.insert(requestId, key(project, jobId));
        }
        const QString jobKey = key(job->project, job->jobId);
        whenJobDone(*job, int(*timeoutMs), [this, jobKey, rows, format, respond = std::move(respond)]() mutable {
            Job *j = m_jobs.contains(jobKey) ? &m_jobs[jobKey] : nullptr;
            if (!j)
                return respond(LocalResponse::error(ApiError::notFound(u"Not found: Job %1"_s.arg(jobKey))));
            respondWithPage(*j, u"bigquery#queryResponse"_s, 0, rows, format, std::move(respond));
        });
    }

    void BigQueryService::getQueryResults(const QString &project, const QString &jobId, const LocalRequest &request, LocalResponder respond)
    {
        Job *job = findJob(project, jobId);
        if (!job)
            return respond(LocalResponse::error(ApiError::notFound(u"Not found: Job %1:%2"_s.arg(project, jobId))));
        qint64 offset = 0;
        const QString token = request.queryValue(u"pageToken"_s);
        if (!token.isEmpty()) {
            const std::optional<qint64> decoded = decodeToken(token, 'o');
            if (!decoded)
                return respond(LocalResponse::error(ApiError::invalidArgument(u"Invalid pageToken: pass the pageToken of the previous page unchanged."_s)));
            offset = *decoded;
        } else if (request.hasQueryItem(u"startIndex"_s)) {
            bool ok = false;
            offset = request.queryValue(u"startIndex"_s).toLongLong(&ok);
            if (!ok || offset < 0)
                return respond(LocalResponse::error(ApiError::invalidArgument(u"Invalid startIndex: expected a row number from 0."_s)));
        }
        qint64 maxRows = DEFAULT_PAGE_ROWS;
        if (request.hasQueryItem(u"maxResults"_s)) {
            bool ok = false;
            maxRows = request.queryValue(u"maxResults"_s).toLongLong(&ok);
            if (!ok || maxRows < 0)
                return respond(LocalResponse::error(ApiError::invalidArgument(u"Invalid maxResults: expected a non-negative number."_s)));
        }
        int timeoutMs = 10000;
        if (request.hasQueryItem(u"timeoutMs"_s))
            timeoutMs = qBound(0, request.queryValue(u"timeoutMs"_s).toInt(), 200000);
        const RowCodec::TimestampFormat format = timestampFormat(request);
        const QString jobKey = key(project, jobId);
        whenJobDone(*job, timeoutMs, [this, jobKey, offset, maxRows, format, respond = std::move(respond)]() mutable {
            Job *j = m_jobs.contains(jobKey) ? &m_jobs[jobKey] : nullptr;
            if (!j)
                return respond(LocalResponse::error(ApiError::notFound(u"Not found: Job %1"_s.arg(jobKey))));
            respondWithPage(*j, u"bigquery#getQueryResultsResponse"_s, offset, maxRows, format, std::move(respond));
        });
    }

    void BigQueryService::insertJob(const QString &project, const QJsonObject &body, LocalResponder respond)
    {
        const QJsonObject configuration = body.value(u"configuration"_s).toObject();
        if (!configuration.contains(u"query"_s))
            return respond(LocalResponse::error(ApiError::invalidArgument(u"Only query jobs are supported by the local cloud: set configuration.query."_s)));
        const QJsonObject reference = body.value(u"jobReference"_s).toObject();
        QString jobId = reference.value(u"jobId"_s).toString();
        static const QRegularExpression pattern(u"^[A-Za-z0-9_-]{1,1024}$"_s);
        if (jobId.isEmpty())
            jobId = u"job_"_s + QUuid::createUuid().toString(QUuid::Id128);
        else if (!pattern.match(jobId).hasMatch())
            return respond(LocalResponse::error(ApiError::invalidArgument(u"Invalid job ID \"%1\": use letters, digits, _ and -."_s.arg(jobId))));
        const QString location = reference.value(u"location"_s).toString(u"US"_s);
        if (findJob(project, jobId))
            return respond(LocalResponse::error(ApiError::alreadyExists(u"Already Exists: Job %1:%2.%3"_s.arg(project, location, jobId))));
        Job *job = nullptr;
        Result<Job *> started = startJob(project, jobId, location, configuration.value(u"query"_s).toObject(), configuration.value(u"dryRun"_s).toBool());
        if (!started) {
            // BigQuery accepts the job and fails it: the error is in status.errorResult.
            Job failed;
            failed.project = project;
            failed.jobId = jobId;
            failed.location = location;
            failed.configuration = configuration.value(u"query"_s).toObject();
            failed.creationTime = failed.startTime = nowMillis();
            failed.sequence = ++m_jobSequence;
            job = &m_jobs.insert(key(project, jobId), failed).value();
            finishJob(*job, started.error(), 0);
        } else {
            job = *started;
        }
        const QString jobKey = key(project, jobId);
        whenJobDone(*job, 10000, [this, jobKey, respond = std::move(respond)]() {
            Job *j = m_jobs.contains(jobKey) ? &m_jobs[jobKey] : nullptr;
            if (!j)
                return respond(LocalResponse::error(ApiError::notFound(u"Not found: Job %1"_s.arg(jobKey))));
            respond(LocalResponse::json(jobResource(*j)));
        });
    }

    Result<QJsonObject> BigQueryService::getJob(const QString &project, const QString &jobId) const
    {
        const auto it = m_jobs.constFind(key(project, jobId));
        if (it == m_jobs.cend())
            return ApiError::notFound(u"Not found: Job %1:%2"_s.arg(project, jobId));
        return jobResource(*it);
    }

    Result<QJsonObject> BigQueryService::cancelJob(const QString &project, const QString &jobId)
    {
        Job *job = findJob(project, jobId);
        if (!job)
            return ApiError::notFound(u"Not found: Job %1:%2"_s.arg(project, jobId));
        return QJsonObject {{u"kind"_s, u"bigquery#jobCancelResponse"_s}, {u"job"_s, jobResource(*job)}};
    }

    Result<QJsonObject> BigQueryService::listJobs(const QString &project, const LocalRequest &request) const
    {
        QList<const Job *> jobs;
        for (const Job &job : m_jobs) {
            if (job.project == project)
                jobs.append(&job);
        }
        std::sort(jobs.begin(), jobs.end(), [](const Job *a, const Job *b) { return a->sequence > b->sequence; });
        qint64 maxResults = request.queryValue(u"maxResults"_s).toLongLong();
        if (maxResults <= 0)
            maxResults = 1000;
        const qint64 start = decodeToken(request.queryValue(u"pageToken"_s), 'o').value_or(0);
        QJsonArray out;
        for (qint64 i = start; i < jobs.size() && out.size() < maxResults; ++i) {
            QJsonObject resource = jobResource(*jobs[i]);
            resource.insert(u"state"_s, resource.value(u"status"_s).toObject().value(u"state"_s));
            out.append(resource);
        }
        QJsonObject list {{u"kind"_s, u"bigquery#jobList"_s}, {u"etag"_s, u"local"_s}};
        if (!out.isEmpty())
            list.insert(u"jobs"_s, out);
        if (start + out.size() < jobs.size())
            list.insert(u"nextPageToken"_s, encodeToken("o:" + QByteArray::number(start + out.size())));
        return list;
    }

    void BigQueryService::collectGarbage()
    {
        if (Status s = m_writer.rotateIfDue(); !s)
            qCWarning(lcBigQuery) << "insertId window rotation failed:" << s.error().message;
    }
}
