#include "core/localcloud/datafolderlock.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud
{
    namespace
    {
        std::optional<DataFolderLock::Owner> readOwner(int fd)
        {
            QByteArray content;
            char buffer[4096];
            ssize_t n = 0;
            off_t offset = 0;
            while ((n = ::pread(fd, buffer, sizeof buffer, offset)) > 0) {
                content.append(buffer, n);
                offset += n;
            }
            const QJsonObject object = QJsonDocument::fromJson(content).object();
            if (object.isEmpty())
                return std::nullopt;
            DataFolderLock::Owner owner;
            owner.pid = object.value(u"pid"_s).toInteger();
            owner.endpoint = QUrl(object.value(u"endpoint"_s).toString());
            owner.startedAt = object.value(u"startedAt"_s).toString();
            return owner;
        }
    }

    DataFolderLock::DataFolderLock(QString path, int fd)
        : m_path {std::move(path)}
        , m_fd {fd}
    {
    }

    DataFolderLock::~DataFolderLock()
    {
        if (m_fd >= 0) {
            // leave no stale endpoint behind; the lock itself goes with the descriptor
            (void)::ftruncate(m_fd, 0);
            ::close(m_fd);
        }
    }

    QString DataFolderLock::lockPath(const QString &dataDir)
    {
        return QDir(dataDir).filePath(u"aqueduct.lock"_s);
    }

    Result<std::unique_ptr<DataFolderLock>> DataFolderLock::acquire(const QString &dataDir)
    {
        if (!QDir().mkpath(dataDir))
            return ApiError::failedPrecondition(u"Cannot create the data folder %1: check its permissions or pass another --data-dir."_s.arg(dataDir));
        const QString path = lockPath(dataDir);
        const int fd = ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return ApiError::failedPrecondition(u"Cannot open %1: %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(errno))));
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const std::optional<Owner> owner = readOwner(fd);
            ::close(fd);
            QString who = owner ? u"process %1"_s.arg(owner->pid) : u"another process"_s;
            if (owner && !owner->endpoint.isEmpty())
                who += u", listening on %1"_s.arg(owner->endpoint.toString());
            return ApiError::failedPrecondition(
                u"The data folder %1 is owned by %2. One process owns a data folder: talk to the owner (aqueduct commands find it by themselves), stop it, or pass another --data-dir."_s
                    .arg(QDir::toNativeSeparators(dataDir), who));
        }
        std::unique_ptr<DataFolderLock> lock(new DataFolderLock(path, fd));
        Owner me;
        me.pid = QCoreApplication::applicationPid();
        me.startedAt = Time::formatRfc3339(Time::nowMicros());
        if (Status s = lock->write(me); !s)
            return s.error();
        return lock;
    }

    std::optional<DataFolderLock::Owner> DataFolderLock::owner(const QString &dataDir)
    {
        const int fd = ::open(QFile::encodeName(lockPath(dataDir)).constData(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return std::nullopt;
        std::optional<Owner> result;
        if (::flock(fd, LOCK_SH | LOCK_NB) != 0)    // held exclusively: a live owner
            result = readOwner(fd);
        else
            ::flock(fd, LOCK_UN);
        ::close(fd);
        return result;
    }

    Status DataFolderLock::setEndpoint(const QUrl &endpoint)
    {
        Owner updated = m_owner;
        updated.endpoint = endpoint;
        return write(updated);
    }

    Status DataFolderLock::write(const Owner &owner)
    {
        const QByteArray content = QJsonDocument(QJsonObject {
                                                     {u"pid"_s, owner.pid},
                                                     {u"endpoint"_s, owner.endpoint.toString()},
                                                     {u"startedAt"_s, owner.startedAt},
                                                 })
                                       .toJson(QJsonDocument::Compact);
        if (::ftruncate(m_fd, 0) != 0 || ::pwrite(m_fd, content.constData(), size_t(content.size()), 0) != content.size())
            return ApiError::internal(u"Cannot write %1: %2"_s.arg(m_path, QString::fromLocal8Bit(std::strerror(errno))));
        m_owner = owner;
        return Ok {};
    }
}
