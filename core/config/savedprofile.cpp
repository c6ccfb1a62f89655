#include "core/config/savedprofile.h"

#include <QSettings>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Config
{
    namespace
    {
        const QString ProfilesGroup = u"Profiles"_s;
        const QString StartupKey = u"Console/startupProfile"_s;
        constexpr qsizetype MaxNameLength = 64;
    }

    QStringList SavedProfile::keys()
    {
        QStringList keys = profileSettingKeys();
        keys.removeAll(u"apiKey"_s);
        return keys;
    }

    QStringList SavedProfile::toArguments() const
    {
        QStringList arguments;
        for (auto it = settings.cbegin(); it != settings.cend(); ++it) {
            if (it.value().isEmpty() || !keys().contains(it.key()))
                continue;
            arguments << u"--"_s + profileSettingOption(it.key()) << it.value();
        }
        return arguments;
    }

    Result<Profile> SavedProfile::resolve(const QHash<QString, QString> &environment) const
    {
        ProfileInputs inputs;
        for (auto it = settings.cbegin(); it != settings.cend(); ++it) {
            if (!it.value().isEmpty() && keys().contains(it.key()))
                inputs.options.insert(profileSettingOption(it.key()), it.value());
        }
        inputs.environment = environment;
        Result<Profile> profile = resolveProfile(inputs);
        if (!profile)
            return ApiError::invalidArgument(u"profile \"%1\": %2"_s.arg(name, profile.error().message));
        return profile;
    }

    ProfileStore::ProfileStore(QSettings *settings)
        : m_ownSettings {settings ? nullptr : std::make_unique<QSettings>()}
        , m_settings {settings ? settings : m_ownSettings.get()}
    {
    }

    ProfileStore::~ProfileStore() = default;

    QSettings &ProfileStore::settings() const
    {
        return *m_settings;
    }

    Status ProfileStore::checkName(const QString &name)
    {
        if (name.trimmed().isEmpty())
            return ApiError::invalidArgument(u"a profile needs a name"_s);
        if (name != name.trimmed())
            return ApiError::invalidArgument(u"the profile name \"%1\" starts or ends with a space"_s.arg(name));
        if (name.size() > MaxNameLength)
            return ApiError::invalidArgument(u"the profile name is longer than %1 characters"_s.arg(MaxNameLength));
        if (name.contains(u'/') || name.contains(u'\\'))
            return ApiError::invalidArgument(u"the profile name \"%1\" has a / or \\; use letters, digits, spaces, - or _"_s.arg(name));
        return Ok {};
    }

    QStringList ProfileStore::names() const
    {
        settings().beginGroup(ProfilesGroup);
        QStringList names = settings().childGroups();
        settings().endGroup();
        names.sort(Qt::CaseInsensitive);
        return names;
    }

    std::optional<SavedProfile> ProfileStore::find(const QString &name) const
    {
        if (!checkName(name) || !names().contains(name))
            return std::nullopt;
        SavedProfile profile;
        profile.name = name;
        settings().beginGroup(ProfilesGroup + u'/' + name);
        const QStringList known = SavedProfile::keys();
        for (const QString &key : settings().childKeys()) {
            if (known.contains(key))   // anything else (an API key written by hand) is not read
                profile.settings.insert(key, settings().value(key).toString());
        }
        settings().endGroup();
        return profile;
    }

    Status ProfileStore::save(const SavedProfile &profile)
    {
        if (Status name = checkName(profile.name); !name)
            return name;
        const QStringList known = SavedProfile::keys();
        for (auto it = profile.settings.cbegin(); it != profile.settings.cend(); ++it) {
            if (it.key() == u"apiKey"_s)
                return ApiError::invalidArgument(u"a saved profile never holds an API key; set AQUEDUCT_API_KEY instead"_s);
            if (!known.contains(it.key()))
                return ApiError::invalidArgument(u"a profile has no setting \"%1\"; known: %2"_s.arg(it.key(), known.join(u", "_s)));
        }
        // Checked as it will be used, minus the environment (which may change before then).
        if (Result<Profile> resolved = profile.resolve({}); !resolved)
            return resolved.error();

        if (!settings().isWritable())
            return ApiError::failedPrecondition(u"the settings file %1 cannot be written"_s.arg(settings().fileName()));
        settings().remove(ProfilesGroup + u'/' + profile.name);
        settings().beginGroup(ProfilesGroup + u'/' + profile.name);
        for (auto it = profile.settings.cbegin(); it != profile.settings.cend(); ++it) {
            if (!it.value().isEmpty())
                settings().setValue(it.key(), it.value());
        }
        settings().endGroup();
        settings().sync();   // status() is not checked: Qt 6.4 reports AccessError after a sync that did write
        return Ok {};
    }

    void ProfileStore::remove(const QString &name)
    {
        if (!checkName(name))
            return;
        settings().remove(ProfilesGroup + u'/' + name);
        if (startupProfile() == name)
            setStartupProfile({});
        settings().sync();
    }

    QString ProfileStore::startupProfile() const
    {
        const QString name = settings().value(StartupKey).toString();
        return names().contains(name) ? name : QString();
    }

    void ProfileStore::setStartupProfile(const QString &name)
    {
        if (name.isEmpty())
            settings().remove(StartupKey);
        else
            settings().setValue(StartupKey, name);
        settings().sync();
    }

    QString backendChosenOutsideProfiles(const QStringList &arguments, const QHash<QString, QString> &environment)
    {
        QStringList flags {u"--config"_s};
        for (const QString &key : profileSettingKeys())
            flags.append(u"--"_s + profileSettingOption(key));
        for (const QString &argument : arguments) {
            for (const QString &flag : flags) {
                if (argument == flag || argument.startsWith(flag + u'='))
                    return flag;
            }
        }
        for (const QString &name : {u"AQUEDUCT_CONFIG"_s, u"AQUEDUCT_BACKEND"_s, u"AQUEDUCT_PUBSUB_BACKEND"_s, u"AQUEDUCT_BIGQUERY_BACKEND"_s,
                                    u"AQUEDUCT_DATA_DIR"_s, u"PUBSUB_EMULATOR_HOST"_s, u"BIGQUERY_EMULATOR_HOST"_s}) {
            if (!environment.value(name).isEmpty())
                return name;
        }
        return {};
    }
}
