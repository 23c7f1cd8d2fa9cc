/** Small hand-written documents, one per text format, for the conformance and fuzz tests. */

export const TCX_SEED = `<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
  <Activities>
    <Activity Sport="Running">
      <Id>2024-05-01T07:00:00Z</Id>
      <Lap StartTime="2024-05-01T07:00:00Z">
        <TotalTimeSeconds>20</TotalTimeSeconds><DistanceMeters>60</DistanceMeters><Calories>5</Calories>
        <Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>
        <Track>
          <Trackpoint><Time>2024-05-01T07:00:00Z</Time><Position><LatitudeDegrees>38.7</LatitudeDegrees><LongitudeDegrees>-9.14</LongitudeDegrees></Position><AltitudeMeters>10</AltitudeMeters><DistanceMeters>0</DistanceMeters><HeartRateBpm><Value>120</Value></HeartRateBpm><Extensions><ns3:TPX><ns3:Speed>3</ns3:Speed><ns3:RunCadence>85</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>
          <Trackpoint><Time>2024-05-01T07:00:10Z</Time><Position><LatitudeDegrees>38.7003</LatitudeDegrees><LongitudeDegrees>-9.14</LongitudeDegrees></Position><AltitudeMeters>11</AltitudeMeters><DistanceMeters>30</DistanceMeters><HeartRateBpm><Value>125</Value></HeartRateBpm><Extensions><ns3:TPX><ns3:Speed>3</ns3:Speed><ns3:RunCadence>86</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>
          <Trackpoint><Time>2024-05-01T07:00:20Z</Time><Position><LatitudeDegrees>38.7006</LatitudeDegrees><LongitudeDegrees>-9.14</LongitudeDegrees></Position><AltitudeMeters>12</AltitudeMeters><DistanceMeters>60</DistanceMeters><HeartRateBpm><Value>130</Value></HeartRateBpm><Extensions><ns3:TPX><ns3:Speed>3</ns3:Speed><ns3:RunCadence>87</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>
        </Track>
      </Lap>
      <Creator xsi:type="Device_t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Name>Forerunner 245</Name><UnitId>3999999999</UnitId><ProductID>3076</ProductID><Version><VersionMajor>7</VersionMajor><VersionMinor>10</VersionMinor></Version></Creator>
    </Activity>
  </Activities>
</TrainingCenterDatabase>
`;

export const GPX_SEED = `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="Garmin Connect" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
  <trk><name>Morning Ride</name><type>cycling</type>
    <trkseg>
      <trkpt lat="38.7000" lon="-9.1400"><ele>10.0</ele><time>2024-05-01T07:00:00Z</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>120</gpxtpx:hr><gpxtpx:cad>80</gpxtpx:cad><gpxtpx:atemp>18</gpxtpx:atemp></gpxtpx:TrackPointExtension></extensions></trkpt>
      <trkpt lat="38.7010" lon="-9.1400"><ele>11.0</ele><time>2024-05-01T07:00:10Z</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>125</gpxtpx:hr><gpxtpx:cad>82</gpxtpx:cad><gpxtpx:atemp>18</gpxtpx:atemp></gpxtpx:TrackPointExtension></extensions></trkpt>
    </trkseg>
    <trkseg>
      <trkpt lat="38.7020" lon="-9.1400"><ele>12.0</ele><time>2024-05-01T07:01:10Z</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>130</gpxtpx:hr><gpxtpx:cad>84</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>
      <trkpt lat="38.7030" lon="-9.1400"><ele>13.0</ele><time>2024-05-01T07:01:20Z</time></trkpt>
    </trkseg>
  </trk>
</gpx>
`;

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
