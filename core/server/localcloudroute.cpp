#include "core/server/localcloudroute.h"

#include "core/localcloud/localcloud.h"
#include "core/server/http/httpresponse.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    LocalCloudRoute::LocalCloudRoute(LocalCloud::LocalCloud *cloud)
        : m_cloud {cloud}
    {
    }

    bool LocalCloudRoute::matches(const QString &path)
    {
        return path.startsWith(u"/v1/projects/"_s) || path.startsWith(u"/bigquery/v2/projects/"_s) || path.startsWith(u"/projects/"_s);
    }

    void LocalCloudRoute::handle(const HttpRequest &request, HttpResponder responder) const
    {
        if (!m_cloud) {
            responder.send(HttpResponse::fromError(ApiError::unavailable(u"The local cloud is not running."_s)));
            return;
        }
        LocalCloud::LocalRequest local;
        local.method = request.method();
        local.path = request.path();
        local.query = request.queryItems();
        local.body = request.body();
        responder.onDisconnected([cancelled = local.cancelled] { cancelled->store(true); });
        m_cloud->post(std::move(local), [responder](LocalCloud::LocalResponse response) {
            responder.send(HttpResponse(response.status, response.contentType, response.body));
        });
    }
}
