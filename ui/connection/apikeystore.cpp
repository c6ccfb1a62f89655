#include "ui/connection/apikeystore.h"

#include <QPointer>
#include <QSettings>

#include <qt6keychain/keychain.h>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui::ApiKeyStore
{
    namespace
    {
        const QString Service = u"Aqueduct operator API keys"_s;
        constexpr int MaxRecent = 10;

        ApiError keychainError(const QKeychain::Job &job)
        {
            ApiError error = ApiError::failedPrecondition(u"the system keychain did not answer (%1)"_s.arg(job.errorString()));
            error.reason = u"keychainUnavailable"_s;
            return error;
        }

        template <typename Job, typename Done>
        void run(Job *job, QObject *context, Done done)
        {
            job->setAutoDelete(true);
            job->setInsecureFallback(false);   // never a clear-text file when there is no keychain
            QPointer<QObject> guard(context);
            QObject::connect(job, &QKeychain::Job::finished, context, [job, guard, done = std::move(done)] {
                if (guard)
                    done(*job);
            });
            job->start();
        }
    }

    void read(const QUrl &server, QObject *context, std::function<void(Result<QByteArray>)> done)
    {
        auto *job = new QKeychain::ReadPasswordJob(Service);
        job->setKey(server.toString());
        run(job, context, [done = std::move(done)](const QKeychain::Job &finished) {
            const auto &reader = static_cast<const QKeychain::ReadPasswordJob &>(finished);
            if (reader.error() == QKeychain::EntryNotFound)
                return done(QByteArray());
            if (reader.error() != QKeychain::NoError)
                return done(keychainError(reader));
            done(reader.binaryData());
        });
    }

    void write(const QUrl &server, const QByteArray &key, QObject *context, std::function<void(Status)> done)
    {
        auto *job = new QKeychain::WritePasswordJob(Service);
        job->setKey(server.toString());
        job->setBinaryData(key);
        run(job, context, [done = std::move(done)](const QKeychain::Job &finished) {
            if (finished.error() != QKeychain::NoError)
                return done(keychainError(finished));
            done(Ok {});
        });
    }

    void forget(const QUrl &server, QObject *context, std::function<void(Status)> done)
    {
        auto *job = new QKeychain::DeletePasswordJob(Service);
        job->setKey(server.toString());
        run(job, context, [done = std::move(done)](const QKeychain::Job &finished) {
            if (finished.error() != QKeychain::NoError && finished.error() != QKeychain::EntryNotFound)
                return done(keychainError(finished));
            done(Ok {});
        });
    }

    QStringList recentServers()
    {
        return QSettings().value(u"Remote/recent"_s).toStringList();
    }

    void addRecentServer(const QUrl &server)
    {
        QStringList recent = recentServers();
        recent.removeAll(server.toString());
        recent.prepend(server.toString());
        QSettings().setValue(u"Remote/recent"_s, recent.mid(0, MaxRecent));
    }
}
