#pragma once

#include <QPointer>
#include <QString>

#include "core/server/http/httprequest.h"
#include "core/server/http/httpresponder.h"

namespace Aq::LocalCloud
{
    class LocalCloud;
}

namespace Aq::Server
{
    // Mounts the local cloud's REST routes (/v1/projects/... for Pub/Sub; /bigquery/v2/projects/... and
    // /projects/... for BigQuery) on the HTTP server: requests go to the local cloud's thread and the
    // answers come back to the connection's, with a pull cancelled when its client goes away.
    class LocalCloudRoute
    {
    public:
        explicit LocalCloudRoute(LocalCloud::LocalCloud *cloud);

        static bool matches(const QString &path);
        void handle(const HttpRequest &request, HttpResponder responder) const;

    private:
        QPointer<LocalCloud::LocalCloud> m_cloud;
    };
}
