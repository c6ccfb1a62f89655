#include "core/localcloud/localbackend.h"

#include <QDir>

#include "core/localcloud/datafolderlock.h"
#include "core/localcloud/inprocessnetworkaccessmanager.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud
{
    namespace
    {
        Config::LocalBackendAccess::Route inProcessRoute(LocalCloud *cloud, const QString &dataDir)
        {
            QPointer<LocalCloud> guard(cloud);
            return {InProcessNetworkAccessManager::baseUrl(),
                    [guard](QObject *parent) { return new InProcessNetworkAccessManager(guard.data(), parent); },
                    u"the local cloud in this process (%1)"_s.arg(QDir::toNativeSeparators(dataDir))};
        }
    }

    LocalBackend::LocalBackend(LocalCloudOptions options)
        : m_options {std::move(options)}
    {
    }

    LocalBackend::LocalBackend(LocalCloud *running)
        : m_options {running->options()}
        , m_running {running}
    {
    }

    LocalBackend::~LocalBackend()
    {
        if (m_host)
            m_host->stop();
    }

    Result<Config::LocalBackendAccess::Route> LocalBackend::open(const QString &dataDir)
    {
        if (m_running)
            return inProcessRoute(m_running, m_running->options().dataDir);
        if (m_host)
            return inProcessRoute(m_host->cloud(), m_options.dataDir);

        if (const std::optional<DataFolderLock::Owner> owner = DataFolderLock::owner(dataDir)) {
            if (!owner->endpoint.isValid() || owner->endpoint.isEmpty()) {
                return ApiError::unavailable(u"the data folder %1 is owned by process %2, which is not listening yet; try again in a moment"_s
                                                 .arg(QDir::toNativeSeparators(dataDir))
                                                 .arg(owner->pid));
            }
            return Route {owner->endpoint, Rest::plainNetworkAccess(),
                          u"the local cloud of process %1 at %2"_s.arg(owner->pid).arg(owner->endpoint.toString())};
        }

        Result<std::unique_ptr<DataFolderLock>> lock = DataFolderLock::acquire(dataDir);
        if (!lock)
            return lock.error();
        LocalCloudOptions options = m_options;
        options.dataDir = dataDir;
        auto host = std::make_unique<LocalCloudHost>(options);
        if (Status started = host->start(); !started)
            return started.error();
        m_lock = std::move(*lock);
        m_host = std::move(host);
        m_options = options;
        return inProcessRoute(m_host->cloud(), dataDir);
    }

    LocalCloud *LocalBackend::cloud() const
    {
        if (m_running)
            return m_running;
        return m_host ? m_host->cloud() : nullptr;
    }
}
