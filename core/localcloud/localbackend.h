#pragma once

#include <memory>

#include "core/config/connection.h"
#include "core/localcloud/localcloud.h"

namespace Aq::LocalCloud
{
    class DataFolderLock;

    // Reaches the local backend of a data folder: over the owner's loopback endpoint when another process
    // owns the folder (DESIGN.md, One owner per data folder), else by owning it: the lock is taken and the
    // local cloud runs in this process, reached in-process. Or, for a process that already runs the local
    // cloud (serve, the console), that one.
    class LocalBackend final : public Config::LocalBackendAccess
    {
    public:
        explicit LocalBackend(LocalCloudOptions options = {});
        // A local cloud this process already runs (and whose folder it owns).
        explicit LocalBackend(LocalCloud *running);
        ~LocalBackend() override;

        Result<Route> open(const QString &dataDir) override;
        // The local cloud this reaches in-process, once open() chose that route; null otherwise.
        LocalCloud *cloud() const;

    private:
        LocalCloudOptions m_options;
        LocalCloud *m_running = nullptr;
        std::unique_ptr<DataFolderLock> m_lock;
        std::unique_ptr<LocalCloudHost> m_host;
    };
}
