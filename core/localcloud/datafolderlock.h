#pragma once

#include <memory>
#include <optional>

#include <QString>
#include <QUrl>

#include "core/common/result.h"

namespace Aq::LocalCloud
{
    // One process owns a data folder. The owner holds an flock on DIR/aqueduct.lock (released by the kernel
    // even on kill -9) and records its PID and loopback endpoint in it, so later processes on the same
    // folder reach the owner over HTTP instead of opening the SQLite file a second time.
    class DataFolderLock
    {
    public:
        struct Owner
        {
            qint64 pid = 0;
            QUrl endpoint;      // empty until the owner listens
            QString startedAt;
        };

        ~DataFolderLock();
        DataFolderLock(const DataFolderLock &) = delete;
        DataFolderLock &operator=(const DataFolderLock &) = delete;

        static QString lockPath(const QString &dataDir);
        // Fails with FAILED_PRECONDITION naming the owner (PID, endpoint) when another process holds it.
        static Result<std::unique_ptr<DataFolderLock>> acquire(const QString &dataDir);
        // The current owner, if a live process holds the folder.
        static std::optional<Owner> owner(const QString &dataDir);

        Status setEndpoint(const QUrl &endpoint);

    private:
        DataFolderLock(QString path, int fd);
        Status write(const Owner &owner);

        QString m_path;
        int m_fd = -1;
        Owner m_owner;
    };
}
