#pragma once

#include <memory>

#include <QObject>
#include <QString>
#include <QThread>
#include <QTimer>

#include "core/common/result.h"
#include "core/localcloud/bigqueryservice.h"
#include "core/localcloud/localrequest.h"
#include "core/localcloud/localstore.h"
#include "core/localcloud/pubsubservice.h"
#include "core/localcloud/sqlitedatabase.h"

namespace Aq::LocalCloud
{
    struct LocalCloudOptions
    {
        QString dataDir;
        Durability durability = Durability::Process;
        qint64 dedupWindowMicros = 10LL * 60 * 1000000;
        int maxPullWaitMs = 10000;
        int garbageCollectionIntervalMs = 10000;
        // See BigQueryService::Options.
        qint64 indexBatchRows = 65536;
        int indexIdleMs = 1000;
    };

    // The embedded Pub/Sub + BigQuery stand-in: maps a REST request to a REST response. It knows nothing
    // of sockets; the HTTP server and the in-process QNetworkAccessManager both hand requests to it.
    // Lives on its own thread (see LocalCloudHost); handle() must be called on that thread.
    class LocalCloud final : public QObject
    {
        Q_OBJECT

    public:
        explicit LocalCloud(LocalCloudOptions options, QObject *parent = nullptr);
        ~LocalCloud() override;

        Status open();
        void close();
        const LocalCloudOptions &options() const { return m_options; }

        // `respond` is called exactly once, on the local cloud's thread (maybe later: a pull waits).
        void handle(const LocalRequest &request, LocalResponder respond);
        // From any thread: queues the request to the local cloud's thread.
        void post(LocalRequest request, LocalResponder respond);

        PubSubService *pubSub() const { return m_pubSub.get(); }
        BigQueryService *bigQuery() const { return m_bigQuery.get(); }

    private:
        void handlePubSub(const LocalRequest &request, const QString &project, const QStringList &rest, LocalResponder respond);
        void handleBigQuery(const LocalRequest &request, const QString &project, const QStringList &rest, LocalResponder respond);
        void collectGarbage();
        void startCheckpoint();

        LocalCloudOptions m_options;
        SqliteDatabase m_db;
        std::unique_ptr<PubSubService> m_pubSub;
        std::unique_ptr<BigQueryService> m_bigQuery;
        QTimer m_garbageTimer;
        QTimer m_checkpointTimer;
        bool m_checkpointRunning = false;
    };

    // Owns the local cloud's thread. start() opens the store on that thread and waits for the result.
    class LocalCloudHost final
    {
    public:
        explicit LocalCloudHost(LocalCloudOptions options);
        ~LocalCloudHost();

        Status start();
        void stop();
        LocalCloud *cloud() const { return m_cloud; }

    private:
        LocalCloudOptions m_options;
        QThread m_thread;
        LocalCloud *m_cloud = nullptr;
    };
}
