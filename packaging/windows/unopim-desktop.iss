; Inno Setup 6 script: the Windows installer for UnoPim Desktop.
; packaging/build.py runs it on Windows after PyInstaller (build.spec), as:
;   iscc /DAppVersion=0.1.0 /DBundleDir=dist\UnoPimDesktop /DOutputDir=dist /DIconFile=resources\windows\unopim-desktop.ico packaging\windows\unopim-desktop.iss
; Per-user install by default (no administrator needed); the dialog offers all users.

#ifndef AppVersion
  #error Pass /DAppVersion=x.y.z (packaging/build.py does)
#endif
#ifndef BundleDir
  #error Pass /DBundleDir=the PyInstaller bundle folder (packaging/build.py does)
#endif
#ifndef OutputDir
  #define OutputDir "."
#endif

[Setup]
AppId={{6F0C4E2B-9A4D-4C57-8E21-3B7F5D9A1C42}
AppName=UnoPim Desktop
AppVersion={#AppVersion}
AppVerName=UnoPim Desktop {#AppVersion}
AppPublisher=UnoPim Desktop
DefaultDirName={autopf}\UnoPim Desktop
DefaultGroupName=UnoPim Desktop
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir={#OutputDir}
OutputBaseFilename=unopim-desktop-{#AppVersion}-windows-x64-setup
#ifdef IconFile
SetupIconFile={#IconFile}
#endif
UninstallDisplayIcon={app}\UnoPimDesktop.exe
UninstallDisplayName=UnoPim Desktop
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder bundle: UnoPimDesktop.exe (the window), unopim-desktop.exe (the commands), _internal\.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\UnoPim Desktop"; Filename: "{app}\UnoPimDesktop.exe"
Name: "{autoprograms}\UnoPim Desktop (demo)"; Filename: "{app}\UnoPimDesktop.exe"; Parameters: "--demo"
Name: "{autodesktop}\UnoPim Desktop"; Filename: "{app}\UnoPimDesktop.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\UnoPimDesktop.exe"; Description: "{cm:LaunchProgram,UnoPim Desktop}"; Flags: nowait postinstall skipifsilent
