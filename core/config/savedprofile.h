#pragma once

#include <memory>
#include <optional>

#include <QHash>
#include <QMap>
#include <QString>
#include <QStringList>

#include "core/common/result.h"
#include "core/config/profile.h"

class QSettings;

namespace Aq::Config
{
    // A connection profile the console keeps: a name and the same keys as a config file ("backend", "dataDir",
    // "pubsubEndpoint", "credentialsFile", "project", "topic", ...). Never a secret: an API key stays in
    // AQUEDUCT_API_KEY or the keychain, a credentials file is kept by its path.
    struct SavedProfile
    {
        QString name;
        QMap<QString, QString> settings;

        // The keys a saved profile may hold: every profile key but apiKey.
        static QStringList keys();

        // The flags that say the same ("--backend", "emulator", "--pubsub-endpoint", ...), for `aqueduct`.
        QStringList toArguments() const;
        // The profile those flags make with this environment, as `aqueduct` would resolve it.
        Result<Profile> resolve(const QHash<QString, QString> &environment) const;
    };

    // The saved profiles, in QSettings under Profiles/<name>/<key>, and the one the console opens at startup.
    class ProfileStore
    {
    public:
        // The application's settings (QSettings()) unless told otherwise; `settings` must outlive the store.
        explicit ProfileStore(QSettings *settings = nullptr);
        ~ProfileStore();

        QStringList names() const;
        std::optional<SavedProfile> find(const QString &name) const;
        // A bad name (empty, longer than 64, with / or \), an unknown key or a key holding a secret is an error;
        // a profile that does not resolve is one too, with the resolver's message.
        Status save(const SavedProfile &profile);
        void remove(const QString &name);

        QString startupProfile() const;   // empty: none (the command line, environment and defaults decide)
        void setStartupProfile(const QString &name);

        static Status checkName(const QString &name);

    private:
        QSettings &settings() const;

        std::unique_ptr<QSettings> m_ownSettings;
        QSettings *m_settings;
    };

    // What chose the backends outside any saved profile, for `aqueduct` to say why it does not apply its startup
    // profile: a profile flag on the command line ("--backend"), or a variable ("PUBSUB_EMULATOR_HOST"). Empty:
    // nothing did, and the startup profile applies.
    QString backendChosenOutsideProfiles(const QStringList &arguments, const QHash<QString, QString> &environment);
}
