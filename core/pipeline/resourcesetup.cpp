#include "core/pipeline/resourcesetup.h"

#include <memory>

#include <QLoggingCategory>

#include "core/bigquery/bigqueryclient.h"
#include "core/pubsub/pubsubclient.h"

using namespace Qt::Literals::StringLiterals;
using Aq::BigQuery::TableField;
using Aq::BigQuery::TableSchema;

Q_LOGGING_CATEGORY(lcSetup, "aq.pipeline.setup", QtInfoMsg)

namespace Aq::Pipeline
{
    namespace
    {
        using Step = std::function<void(std::function<void(Status)>)>;

        // Runs the steps one after another; the first failure ends the run.
        void runSteps(std::shared_ptr<QList<Step>> steps, std::function<void(Status)> done)
        {
            if (steps->isEmpty()) {
                done(Ok {});
                return;
            }
            const Step step = steps->takeFirst();
            step([steps, done](Status status) {
                if (!status) {
                    done(status);
                    return;
                }
                runSteps(steps, done);
            });
        }

        QString describeField(const TableField &field)
        {
            return u"%1 %2"_s.arg(BigQuery::standardTypeName(field.type), BigQuery::modeName(field.mode));
        }

        void collectDifferences(const QList<TableField> &existing, const QList<TableField> &wanted, const QString &prefix, QStringList *out)
        {
            for (const TableField &want : wanted) {
                const auto have = std::find_if(existing.begin(), existing.end(), [&](const TableField &f) { return f.name.compare(want.name, Qt::CaseInsensitive) == 0; });
                const QString name = prefix + want.name;
                if (have == existing.end()) {
                    out->append(u"column %1 (%2) is not in the table"_s.arg(name, describeField(want)));
                } else if (have->type != want.type || have->mode != want.mode) {
                    out->append(u"column %1 is %2 in the table, %3 in the schema asked for"_s.arg(name, describeField(*have), describeField(want)));
                } else if (want.type == BigQuery::FieldType::Record) {
                    collectDifferences(have->fields, want.fields, name + u'.', out);
                }
            }
            for (const TableField &have : existing) {
                const bool wantedToo = std::any_of(wanted.begin(), wanted.end(), [&](const TableField &f) { return f.name.compare(have.name, Qt::CaseInsensitive) == 0; });
                if (!wantedToo)
                    out->append(u"column %1 (%2) is in the table but not in the schema asked for"_s.arg(prefix + have.name, describeField(have)));
            }
        }

        Status missing(const QString &what)
        {
            return ApiError::failedPrecondition(u"%1 does not exist; create it, or start without --no-create to let Aqueduct create it"_s.arg(what));
        }
    }

    QStringList schemaDifferences(const TableSchema &existing, const TableSchema &wanted)
    {
        QStringList differences;
        collectDifferences(existing.fields, wanted.fields, {}, &differences);
        return differences;
    }

    void ensureResources(PubSub::PubSubClient *pubsub, BigQuery::BigQueryClient *bigquery, const IngestSettings &settings,
                         QObject *context, std::function<void(Status)> done)
    {
        auto steps = std::make_shared<QList<Step>>();
        const bool create = settings.createMissing;

        const auto topicStep = [=](const QString &topic) -> Step {
            return [=](std::function<void(Status)> next) {
                pubsub->getTopic(topic, context, [=](Result<QString> found) {
                    if (found)
                        return next(Ok {});
                    if (found.error().httpStatus != 404)
                        return next(found.error());
                    if (!create)
                        return next(missing(u"Pub/Sub topic %1"_s.arg(pubsub->topicPath(topic))));
                    pubsub->createTopic(topic, context, [=](Result<QString> created) {
                        if (created)
                            qCInfo(lcSetup).noquote() << "created topic" << *created;
                        next(created || created.error().httpStatus == 409 ? Status(Ok {}) : Status(created.error()));
                    });
                });
            };
        };
        const auto subscriptionStep = [=](const QString &id, const PubSub::Subscription &wanted) -> Step {
            return [=](std::function<void(Status)> next) {
                pubsub->getSubscription(id, context, [=](Result<PubSub::Subscription> found) {
                    if (found) {
                        if (found->topic != pubsub->topicPath(wanted.topic)) {
                            return next(ApiError::failedPrecondition(u"subscription %1 exists but is attached to %2, not %3"_s
                                                                         .arg(found->name, found->topic, pubsub->topicPath(wanted.topic))));
                        }
                        return next(Ok {});
                    }
                    if (found.error().httpStatus != 404)
                        return next(found.error());
                    if (!create)
                        return next(missing(u"Pub/Sub subscription %1"_s.arg(pubsub->subscriptionPath(id))));
                    pubsub->createSubscription(id, wanted, context, [=](Result<PubSub::Subscription> created) {
                        if (created)
                            qCInfo(lcSetup).noquote() << "created subscription" << created->name;
                        next(created || created.error().httpStatus == 409 ? Status(Ok {}) : Status(created.error()));
                    });
                });
            };
        };
        const auto tableStep = [=](const QString &table, const TableSchema &schema, const BigQuery::TableOptions &options) -> Step {
            return [=](std::function<void(Status)> next) {
                bigquery->getTable(settings.dataset, table, context, [=](Result<BigQuery::TableInfo> found) {
                    const QString name = u"%1.%2.%3"_s.arg(bigquery->project(), settings.dataset, table);
                    if (found) {
                        const QStringList differences = schemaDifferences(found->schema, schema);
                        if (differences.isEmpty())
                            return next(Ok {});
                        return next(ApiError::failedPrecondition(u"table %1 exists with a different schema:\n  %2\nUse a schema that matches the "
                                                                 "table, or another --table."_s.arg(name, differences.join(u"\n  "_s))));
                    }
                    if (found.error().httpStatus != 404)
                        return next(found.error());
                    if (!create)
                        return next(missing(u"BigQuery table %1"_s.arg(name)));
                    bigquery->createTable(settings.dataset, table, schema, options, context, [=](Result<BigQuery::TableInfo> created) {
                        if (created)
                            qCInfo(lcSetup).noquote() << "created table" << name;
                        next(created || created.error().httpStatus == 409 ? Status(Ok {}) : Status(created.error()));
                    });
                });
            };
        };

        steps->append(topicStep(settings.topic));
        steps->append(topicStep(settings.deadLetterTopic));
        PubSub::Subscription main;
        main.topic = settings.topic;
        main.ackDeadlineSeconds = 60;
        main.deadLetterTopic = settings.deadLetterTopic;
        main.maxDeliveryAttempts = settings.maxDeliveryAttempts;
        main.minimumBackoffMicros = 1'000'000;
        main.maximumBackoffMicros = 60'000'000;
        steps->append(subscriptionStep(settings.subscription, main));
        PubSub::Subscription deadLetters;
        deadLetters.topic = settings.deadLetterTopic;
        deadLetters.ackDeadlineSeconds = 60;
        steps->append(subscriptionStep(settings.deadLetterSubscription(), deadLetters));
        steps->append([=](std::function<void(Status)> next) {
            bigquery->getDataset(settings.dataset, context, [=](Result<Ok> found) {
                if (found)
                    return next(Ok {});
                if (found.error().httpStatus != 404)
                    return next(found.error());
                if (!create)
                    return next(missing(u"BigQuery dataset %1.%2"_s.arg(bigquery->project(), settings.dataset)));
                bigquery->createDataset(settings.dataset, {}, context, [=](Result<Ok> created) {
                    next(created || created.error().httpStatus == 409 ? Status(Ok {}) : Status(created.error()));
                });
            });
        });
        BigQuery::TableOptions tableOptions;
        if (settings.partitionAndCluster && settings.schema.field(u"timestamp"_s)) {
            tableOptions.timePartitioningField = u"timestamp"_s;
            if (settings.schema.field(u"event_type"_s))
                tableOptions.clusteringFields = {u"event_type"_s};
            // Then the key column: rows are looked up by it (/api/v1/{id}), and BigQuery prunes blocks with it.
            const QString key = settings.conversion.keyColumn;
            if (settings.schema.field(key) && key != u"event_type"_s)
                tableOptions.clusteringFields.append(key);
        }
        steps->append(tableStep(settings.table, settings.schema, tableOptions));
        steps->append(tableStep(settings.errorTable, RowConverter::errorTableSchema(), {}));
        runSteps(steps, std::move(done));
    }
}
